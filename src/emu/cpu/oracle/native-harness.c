/*
 * Pacifica native x86-64 oracle harness.
 *
 * Executes short user-mode machine-code snippets natively on the host CPU from a fully
 * specified initial state and reports the final state, so the TypeScript emulator can be
 * compared against real hardware. Test infrastructure only (Linux x86-64, gcc, no libs):
 *
 *     gcc -O2 -o harness native-harness.c
 *     harness            < cases.bin > results.bin      (batch mode until EOF)
 *     harness --probe                                   (one JSON line describing the host)
 *
 * The TypeScript side is src/emu/cpu/oracle/native.ts; keep the two in sync.
 *
 * ---------------------------------------------------------------------------------------
 * Memory layout (all mmap(MAP_FIXED_NOREPLACE); the harness exits if any is unavailable,
 * and verifies via /proc/self/maps that nothing else is mapped in 0x100000..0x400000, so
 * accesses outside the three pages fault):
 *   CODE_BASE  = 0x00200000, 4096 bytes RWX. Per case the page is reset to 0xCC (int3),
 *                then the snippet is copied to CODE_BASE and the exit trampoline right
 *                after it at CODE_BASE + code_len.
 *   DATA_BASE  = 0x00300000, 4096 bytes RW.
 *   STACK_BASE = 0x00310000, 4096 bytes RW.
 * "Combined region": 8192 bytes, offsets 0..4095 = DATA_BASE.., 4096..8191 = STACK_BASE..
 *
 * Initial memory fill (must match fillOracleMemory() in native.ts):
 *   x = mem_seed ? mem_seed : 0x12345678            (uint32)
 *   for each 4-byte word w = 0..2047 of the combined region, in order:
 *       x ^= x << 13; x ^= x >> 17; x ^= x << 5;   (uint32 arithmetic, logical shifts)
 *       store x little-endian at offset 4*w
 *   (the first stored word is the first OUTPUT, not the seed itself)
 *
 * ---------------------------------------------------------------------------------------
 * Case record (stdin), fixed 240 bytes, little-endian:
 *     off  size
 *       0    4   u32 id
 *       4    4   u32 code_len            (0..64)
 *       8   64   u8  code[64]            (bytes beyond code_len ignored)
 *      72  128   u64 regs[16]            RAX RCX RDX RBX RSP RBP RSI RDI R8..R15
 *     200    8   u64 rflags              loaded with popfq after masking to
 *                                        CF|PF|AF|ZF|SF|DF|OF|bit1 (0xCD7); bit 1 is forced
 *     208    4   u32 mem_seed
 *     212    4   u32 flags               reserved, must be 0
 *     216   24   padding (zero)
 *
 * Result record (stdout), variable size, little-endian, packed (no alignment):
 *     off  size
 *       0    4   u32 id
 *       4    4   u32 status      0 = ok (RIP reached the trampoline)
 *                                1 = fault (CPU exception -> signal)
 *                                2 = timeout (snippet ran > ~100..200 ms)
 *                                3 = syscall (snippet executed SYSCALL/INT 80h/SYSENTER;
 *                                    blocked by seccomp, never performed)
 *       8    4   u32 vector      x86 vector (uc_mcontext REG_TRAPNO) for status 1; the
 *                                system call number for status 3; else 0
 *      12    4   u32 error_code  REG_ERR for status 1, else 0
 *      16    4   u32 signo       host signal number (SIGSEGV=11, SIGILL=4, ...) or 0
 *      20    4   u32 si_code     siginfo si_code (SEGV_MAPERR=1, SEGV_ACCERR=2,
 *                                SI_KERNEL=0x80, ...) or 0
 *      24  128   u64 regs[16]    final GPRs (at the fault / interruption for status 1-3)
 *     152    8   u64 rip         status 0: CODE_BASE + code_len; else RIP from ucontext
 *     160    8   u64 rflags      as captured (pushfq / REG_EFL), unmasked
 *     168    8   u64 fault_addr  siginfo si_addr (SIGSEGV/SIGBUS: faulting data address,
 *                                0 for #GP; SIGILL/SIGFPE/SIGTRAP: instruction address)
 *     176    4   u32 n_changed
 *     180  4*n   { u16 offset_in_combined_region; u8 value; u8 pad(0) } for every byte of
 *                the combined region whose final value differs from the initial fill,
 *                in increasing offset order.
 *
 * ---------------------------------------------------------------------------------------
 * Execution: run_snippet() (assembly below) pushes the callee-saved registers, saves RSP,
 * MXCSR and the x87 control word in g_ctx, loads RFLAGS (popfq) then all 16 GPRs from the
 * case (RAX last) and does `jmp *g_ctx.entry(%rip)` -> CODE_BASE. The trampoline is
 *     movabs [&g_ctx.out[0]], rax          48 A3 imm64
 *     movabs rax, &g_ctx                   48 B8 imm64
 *     mov [rax+8*i], reg_i  (i = 1..15)    REX.W(+R) 89 /r disp8   (RSP included)
 *     jmp [rax+128]                        FF A0 disp32  -> snippet_return
 * None of these touch flags or the data/stack regions. snippet_return switches to the
 * saved harness RSP, captures RFLAGS with pushfq, resets RFLAGS to 0x202 (clears DF/AC/TF),
 * restores MXCSR/FCW and the callee-saved registers and returns to C.
 *
 * Faults: SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP/SIGSYS handlers run on an alternate signal
 * stack. If a snippet is running, the handler records TRAPNO/ERR/GPRs/RIP/EFL from the
 * ucontext, then rewrites the ucontext (RIP = snippet_fault_return, RSP = saved harness
 * RSP, DF/TF/AC cleared) and returns: rt_sigreturn restores the signal mask, so there is no
 * per-case sigsetjmp/sigprocmask syscall. A fault while no snippet runs is a harness bug:
 * the handler reports it and re-raises with the default action.
 * Timeouts: one periodic ITIMER_REAL (100 ms). SIGALRM declares a timeout when the same
 * case (generation counter) is found executing on two consecutive ticks with RIP inside
 * the code page, i.e. after 100..200 ms; no per-case timer syscalls.
 * seccomp: any system call whose instruction pointer lies in the code page is trapped
 * (SECCOMP_RET_TRAP -> SIGSYS) and reported as status 3, so random snippets can never
 * perform system calls.
 * FS/GS: if FSGSBASE works (HWCAP2, or RDFSBASE executes at startup), both return paths reload null FS/GS
 * selectors and the saved FS/GS bases, so snippets may execute WRFSBASE / MOV FS safely.
 * Limitations: without FSGSBASE, snippets must not load FS/GS (glibc TLS would be lost);
 * snippets must not jump into harness code (they cannot know its address). The FPU/SSE register contents are not reset between cases.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>
#include <cpuid.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define CODE_BASE 0x00200000UL
#define DATA_BASE 0x00300000UL
#define STACK_BASE 0x00310000UL
#define PAGE 4096
#define REGION 8192
#define MAX_CODE 64
#define CASE_SIZE 240
#define RESULT_HDR 180
#define RFLAGS_IN_MASK 0xCD7ULL

/* Shared with the assembly: offsets are hard-coded there, checked below. */
struct ctx {
    uint64_t out_regs[16]; /*   0 */
    uint64_t ret_addr;     /* 128 */
    uint64_t out_rflags;   /* 136 */
    uint64_t host_rsp;     /* 144 */
    uint64_t in_regs[16];  /* 152 */
    uint64_t in_rflags;    /* 280 */
    uint64_t entry;        /* 288 */
    uint64_t in_snippet;   /* 296 */
    uint32_t mxcsr;        /* 304 */
    uint16_t fcw;          /* 308 */
    uint16_t pad;
    uint64_t fsbase;       /* 312 */
    uint64_t gsbase;       /* 320 */
    uint64_t has_fsgsbase; /* 328 */
};
_Static_assert(offsetof(struct ctx, ret_addr) == 128, "ctx");
_Static_assert(offsetof(struct ctx, out_rflags) == 136, "ctx");
_Static_assert(offsetof(struct ctx, host_rsp) == 144, "ctx");
_Static_assert(offsetof(struct ctx, in_regs) == 152, "ctx");
_Static_assert(offsetof(struct ctx, in_rflags) == 280, "ctx");
_Static_assert(offsetof(struct ctx, entry) == 288, "ctx");
_Static_assert(offsetof(struct ctx, in_snippet) == 296, "ctx");
_Static_assert(offsetof(struct ctx, mxcsr) == 304, "ctx");
_Static_assert(offsetof(struct ctx, fcw) == 308, "ctx");
_Static_assert(offsetof(struct ctx, fsbase) == 312, "ctx");
_Static_assert(offsetof(struct ctx, has_fsgsbase) == 328, "ctx");

struct outcome {
    uint32_t status, vector, err, signo, si_code;
    uint64_t regs[16], rip, rflags, addr;
};

struct ctx g_ctx __attribute__((aligned(64), visibility("hidden")));

/* Fault information filled in by the signal handler. */
static volatile struct {
    uint32_t status, vector, err, signo, si_code;
    uint64_t regs[16], rip, rflags, addr;
} g_fault;
static volatile uint64_t g_case_gen, g_tick_gen;

int run_snippet(void); /* returns 0 = trampoline reached, 1 = fault/timeout/syscall */
extern char snippet_return[], snippet_fault_return[];

__asm__(
    ".text\n"
    ".globl run_snippet\n"
    ".hidden run_snippet\n"
    ".type run_snippet,@function\n"
    "run_snippet:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  lea g_ctx(%rip), %rax\n"
    "  mov %rsp, 144(%rax)\n"
    "  stmxcsr 304(%rax)\n"
    "  fnstcw 308(%rax)\n"
    "  movq $1, 296(%rax)\n"
    "  pushq 280(%rax)\n"
    "  popfq\n"
    "  mov 160(%rax), %rcx\n"
    "  mov 168(%rax), %rdx\n"
    "  mov 176(%rax), %rbx\n"
    "  mov 184(%rax), %rsp\n"
    "  mov 192(%rax), %rbp\n"
    "  mov 200(%rax), %rsi\n"
    "  mov 208(%rax), %rdi\n"
    "  mov 216(%rax), %r8\n"
    "  mov 224(%rax), %r9\n"
    "  mov 232(%rax), %r10\n"
    "  mov 240(%rax), %r11\n"
    "  mov 248(%rax), %r12\n"
    "  mov 256(%rax), %r13\n"
    "  mov 264(%rax), %r14\n"
    "  mov 272(%rax), %r15\n"
    "  mov 152(%rax), %rax\n"
    "  jmp *(g_ctx+288)(%rip)\n"
    /* entered from the trampoline with rax = &g_ctx, all GPRs already stored */
    ".globl snippet_return\n"
    ".hidden snippet_return\n"
    "snippet_return:\n"
    "  mov 144(%rax), %rsp\n"
    "  pushfq\n"
    "  popq 136(%rax)\n"
    "  pushq $0x202\n"
    "  popfq\n"
    "  movq $0, 296(%rax)\n"
    "  cmpq $0, 328(%rax)\n"
    "  je 1f\n"
    "  xor %ecx, %ecx\n"
    "  mov %ecx, %fs\n"
    "  mov %ecx, %gs\n"
    "  mov 312(%rax), %rcx\n"
    "  wrfsbase %rcx\n"
    "  mov 320(%rax), %rcx\n"
    "  wrgsbase %rcx\n"
    "1:\n"
    "  ldmxcsr 304(%rax)\n"
    "  fldcw 308(%rax)\n"
    "  xor %eax, %eax\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n"
    /* entered via sigreturn with rsp = saved harness rsp, DF/TF/AC cleared */
    ".globl snippet_fault_return\n"
    ".hidden snippet_fault_return\n"
    "snippet_fault_return:\n"
    "  lea g_ctx(%rip), %rax\n"
    "  movq $0, 296(%rax)\n"
    "  cmpq $0, 328(%rax)\n"
    "  je 2f\n"
    "  xor %ecx, %ecx\n"
    "  mov %ecx, %fs\n"
    "  mov %ecx, %gs\n"
    "  mov 312(%rax), %rcx\n"
    "  wrfsbase %rcx\n"
    "  mov 320(%rax), %rcx\n"
    "  wrgsbase %rcx\n"
    "2:\n"
    "  ldmxcsr 304(%rax)\n"
    "  fldcw 308(%rax)\n"
    "  mov $1, %eax\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n");

static uint8_t *const code_page = (uint8_t *)CODE_BASE;
static uint8_t *const data_page = (uint8_t *)DATA_BASE;
static uint8_t *const stack_page = (uint8_t *)STACK_BASE;

static void die(const char *msg) {
    fprintf(stderr, "native-harness: %s (errno %d: %s)\n", msg, errno, strerror(errno));
    exit(2);
}

static void wr_all(int fd, const void *buf, size_t n) {
    const uint8_t *p = buf;
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            die("write failed");
        }
        p += k;
        n -= (size_t)k;
    }
}

/* ---- signals -------------------------------------------------------------------------- */

static const int gpr_map[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                REG_R12, REG_R13, REG_R14, REG_R15};

static void on_signal(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    uint64_t rip = (uint64_t)g[REG_RIP];
    if (!g_ctx.in_snippet) {
        if (sig == SIGALRM) return;
        static const char m[] = "native-harness: fatal signal outside snippet\n";
        (void)!write(2, m, sizeof m - 1);
        signal(sig, SIG_DFL);
        return; /* re-executes the faulting instruction with the default action */
    }
    uint32_t status = 1;
    if (sig == SIGALRM) {
        if (rip < CODE_BASE || rip >= CODE_BASE + PAGE) return;
        if (g_tick_gen != g_case_gen) {
            g_tick_gen = g_case_gen;
            return;
        }
        status = 2;
    } else if (sig == SIGSYS) {
        status = 3;
    }
    g_fault.status = status;
    g_fault.vector = status == 1 ? (uint32_t)g[REG_TRAPNO] : status == 3 ? (uint32_t)si->si_syscall : 0;
    g_fault.err = status == 1 ? (uint32_t)g[REG_ERR] : 0;
    g_fault.signo = (uint32_t)sig;
    g_fault.si_code = sig == SIGALRM ? 0 : (uint32_t)si->si_code;
    g_fault.addr = sig == SIGALRM || sig == SIGSYS ? 0 : (uint64_t)si->si_addr;
    for (int i = 0; i < 16; i++) g_fault.regs[i] = (uint64_t)g[gpr_map[i]];
    g_fault.rip = rip;
    g_fault.rflags = (uint64_t)g[REG_EFL];
    g[REG_RIP] = (greg_t)(uintptr_t)snippet_fault_return;
    g[REG_RSP] = (greg_t)g_ctx.host_rsp;
    g[REG_EFL] &= ~(greg_t)((1 << 8) | (1 << 10) | (1 << 18)); /* TF DF AC */
}

static void install_signals(void) {
    stack_t ss;
    ss.ss_size = 1 << 16;
    ss.ss_sp = malloc(ss.ss_size);
    ss.ss_flags = 0;
    if (!ss.ss_sp || sigaltstack(&ss, NULL)) die("sigaltstack");
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_signal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
        sigfillset(&sa.sa_mask);
        if (sigaction(sigs[i], &sa, NULL)) die("sigaction");
    }
    struct itimerval it = {{0, 100000}, {0, 100000}};
    if (setitimer(ITIMER_REAL, &it, NULL)) die("setitimer");
}

/* Trap every system call issued from the code page (any arch: SYSCALL, INT 80h, ...). */
static void install_seccomp(void) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)(CODE_BASE + PAGE), 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)CODE_BASE, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof f[0], f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) die("prctl(NO_NEW_PRIVS)");
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) die("prctl(SECCOMP)");
}

/* ---- memory ----------------------------------------------------------------------------- */

static void map_fixed(unsigned long addr, int prot) {
    void *p = mmap((void *)addr, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p == MAP_FAILED || p != (void *)addr) {
        fprintf(stderr, "native-harness: cannot map page at %#lx (MAP_FIXED_NOREPLACE)\n", addr);
        die("mmap");
    }
}

static void check_isolation(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) != 2) continue;
        if (hi <= 0x100000UL || lo >= 0x400000UL) continue;
        int ours = (lo == CODE_BASE || lo == DATA_BASE || lo == STACK_BASE) && hi == lo + PAGE;
        if (!ours) {
            fprintf(stderr, "native-harness: unexpected mapping near the oracle pages: %s", line);
            exit(2);
        }
    }
    fclose(f);
}

static void setup_memory(void) {
    map_fixed(CODE_BASE, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(DATA_BASE, PROT_READ | PROT_WRITE);
    map_fixed(STACK_BASE, PROT_READ | PROT_WRITE);
    check_isolation();
}

/* Reference implementation (documented algorithm, used to self-check the fast one). */
static void fill_memory_ref(uint32_t seed, uint8_t *out) {
    uint32_t x = seed ? seed : 0x12345678u;
    for (int i = 0; i < REGION; i += 4) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = (uint8_t)x;
        out[i + 1] = (uint8_t)(x >> 8);
        out[i + 2] = (uint8_t)(x >> 16);
        out[i + 3] = (uint8_t)(x >> 24);
    }
}

/* Fast version: xorshift32 is linear over GF(2), so the 2048-word stream is split into
 * NCHAIN independent chains of CHAIN_LEN words whose start states come from a precomputed
 * jump-ahead by CHAIN_LEN steps (a 32x32 bit matrix applied with four 256-entry tables);
 * interleaving the chains hides the serial latency of the shift/xor chain. */
#define NCHAIN 8
#define CHAIN_LEN (REGION / 4 / NCHAIN)
static uint32_t g_jump[4][256];

static inline uint32_t xs32(uint32_t x) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

static void init_jump(void) {
    uint32_t col[32];
    for (int b = 0; b < 32; b++) {
        uint32_t x = 1u << b;
        for (int k = 0; k < CHAIN_LEN; k++) x = xs32(x);
        col[b] = x;
    }
    for (int t = 0; t < 4; t++)
        for (int v = 0; v < 256; v++) {
            uint32_t r = 0;
            for (int j = 0; j < 8; j++)
                if (v >> j & 1) r ^= col[8 * t + j];
            g_jump[t][v] = r;
        }
}

static inline uint32_t jump(uint32_t x) {
    return g_jump[0][x & 255] ^ g_jump[1][(x >> 8) & 255] ^ g_jump[2][(x >> 16) & 255] ^
           g_jump[3][x >> 24];
}

static void fill_memory(uint32_t seed, uint8_t *out) {
    uint32_t s0 = seed ? seed : 0x12345678u;
    uint32_t s1 = jump(s0), s2 = jump(s1), s3 = jump(s2), s4 = jump(s3), s5 = jump(s4),
             s6 = jump(s5), s7 = jump(s6);
    uint32_t *w = (uint32_t *)(void *)out; /* little-endian host: word order matches */
    for (int k = 0; k < CHAIN_LEN; k++) {
        /* eight independent chains kept in registers */
        s0 = xs32(s0); s1 = xs32(s1); s2 = xs32(s2); s3 = xs32(s3);
        s4 = xs32(s4); s5 = xs32(s5); s6 = xs32(s6); s7 = xs32(s7);
        w[k] = s0; w[k + CHAIN_LEN] = s1; w[k + 2 * CHAIN_LEN] = s2; w[k + 3 * CHAIN_LEN] = s3;
        w[k + 4 * CHAIN_LEN] = s4; w[k + 5 * CHAIN_LEN] = s5; w[k + 6 * CHAIN_LEN] = s6;
        w[k + 7 * CHAIN_LEN] = s7;
    }
}

static void selfcheck_fill(void) {
    static uint8_t a[REGION] __attribute__((aligned(64))), b[REGION] __attribute__((aligned(64)));
    init_jump();
    static const uint32_t seeds[] = {0, 1, 2, 0x12345678u, 0xdeadbeefu, 0xffffffffu, 0x80000000u};
    for (unsigned i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        fill_memory_ref(seeds[i], a);
        fill_memory(seeds[i], b);
        if (memcmp(a, b, REGION)) {
            fprintf(stderr, "native-harness: fast memory fill disagrees with reference (seed %#x)\n", seeds[i]);
            exit(2);
        }
    }
}

/* ---- one case --------------------------------------------------------------------------- */

static uint8_t g_code_template[PAGE];
static uint8_t g_tramp[128];
static size_t g_tramp_len;
static uint8_t g_init[REGION] __attribute__((aligned(64)));
static uint32_t g_init_seed;
static int g_init_valid;

static void build_trampoline(void) {
    uint8_t *p = g_tramp;
    uint64_t a;
    *p++ = 0x48; *p++ = 0xA3; a = (uint64_t)(uintptr_t)&g_ctx.out_regs[0];
    memcpy(p, &a, 8); p += 8;
    *p++ = 0x48; *p++ = 0xB8; a = (uint64_t)(uintptr_t)&g_ctx;
    memcpy(p, &a, 8); p += 8;
    for (int i = 1; i < 16; i++) {
        *p++ = (uint8_t)(0x48 | (i >= 8 ? 0x04 : 0));
        *p++ = 0x89;
        *p++ = (uint8_t)(0x40 | ((i & 7) << 3));
        *p++ = (uint8_t)(8 * i);
    }
    *p++ = 0xFF; *p++ = 0xA0;
    uint32_t d = (uint32_t)offsetof(struct ctx, ret_addr);
    memcpy(p, &d, 4); p += 4;
    g_tramp_len = (size_t)(p - g_tramp);
    memset(g_code_template, 0xCC, PAGE);
    g_ctx.ret_addr = (uint64_t)(uintptr_t)snippet_return;
    g_ctx.entry = CODE_BASE;
}

static inline uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }


static void exec_case(const uint8_t *code, uint32_t code_len, const uint64_t regs[16],
                      uint64_t rflags, struct outcome *o) {
    memcpy(code_page, g_code_template, PAGE);
    memcpy(code_page, code, code_len);
    memcpy(code_page + code_len, g_tramp, g_tramp_len);
    memcpy(g_ctx.in_regs, regs, sizeof g_ctx.in_regs);
    g_ctx.in_rflags = (rflags & RFLAGS_IN_MASK) | 2;
    g_case_gen++;
    __asm__ volatile("" ::: "memory");
    int r = run_snippet();
    __asm__ volatile("" ::: "memory");
    if (r == 0) {
        o->status = o->vector = o->err = o->signo = o->si_code = 0;
        memcpy(o->regs, g_ctx.out_regs, sizeof o->regs);
        o->rip = CODE_BASE + code_len;
        o->rflags = g_ctx.out_rflags;
        o->addr = 0;
    } else {
        o->status = g_fault.status;
        o->vector = g_fault.vector;
        o->err = g_fault.err;
        o->signo = g_fault.signo;
        o->si_code = g_fault.si_code;
        for (int i = 0; i < 16; i++) o->regs[i] = g_fault.regs[i];
        o->rip = g_fault.rip;
        o->rflags = g_fault.rflags;
        o->addr = g_fault.addr;
    }
}

/* ---- batch mode ------------------------------------------------------------------------- */

#define OUT_CAP (1 << 20)
static uint8_t g_out[OUT_CAP];
static size_t g_out_len;

static void out_flush(void) {
    wr_all(1, g_out, g_out_len);
    g_out_len = 0;
}

static size_t diff_region(const uint8_t *init, const uint8_t *now, int base, uint8_t *dst) {
    size_t n = 0;
    for (int i = 0; i < PAGE; i += 8) {
        if (rd64(init + i) == rd64(now + i)) continue;
        for (int j = i; j < i + 8; j++) {
            if (init[j] != now[j]) {
                uint16_t off = (uint16_t)(base + j);
                dst[4 * n] = (uint8_t)off;
                dst[4 * n + 1] = (uint8_t)(off >> 8);
                dst[4 * n + 2] = now[j];
                dst[4 * n + 3] = 0;
                n++;
            }
        }
    }
    return n;
}

static void handle_case(const uint8_t *rec) {
    uint32_t id = rd32(rec), code_len = rd32(rec + 4);
    if (code_len > MAX_CODE) {
        fprintf(stderr, "native-harness: case %u: code_len %u > %d\n", id, code_len, MAX_CODE);
        exit(2);
    }
    uint64_t regs[16];
    for (int i = 0; i < 16; i++) regs[i] = rd64(rec + 72 + 8 * i);
    uint64_t rflags = rd64(rec + 200);
    uint32_t seed = rd32(rec + 208);
    if (!g_init_valid || seed != g_init_seed) {
        fill_memory(seed, g_init);
        g_init_seed = seed;
        g_init_valid = 1;
    }
    memcpy(data_page, g_init, PAGE);
    memcpy(stack_page, g_init + PAGE, PAGE);

    struct outcome o;
    exec_case(rec + 8, code_len, regs, rflags, &o);

    if (g_out_len + RESULT_HDR + 4 * REGION > OUT_CAP) out_flush();
    uint8_t *p = g_out + g_out_len;
    uint32_t h32[6] = {id, o.status, o.vector, o.err, o.signo, o.si_code};
    memcpy(p, h32, 24);
    memcpy(p + 24, o.regs, 128);
    memcpy(p + 152, &o.rip, 8);
    memcpy(p + 160, &o.rflags, 8);
    memcpy(p + 168, &o.addr, 8);
    uint32_t n = 0;
    if (memcmp(g_init, data_page, PAGE) != 0) n += (uint32_t)diff_region(g_init, data_page, 0, p + RESULT_HDR);
    if (memcmp(g_init + PAGE, stack_page, PAGE) != 0)
        n += (uint32_t)diff_region(g_init + PAGE, stack_page, PAGE, p + RESULT_HDR + 4 * n);
    memcpy(p + 176, &n, 4);
    g_out_len += RESULT_HDR + 4 * (size_t)n;
}


/* Remember FS/GS bases so that a snippet executing WRFSBASE / MOV FS cannot break TLS. */
static void save_segment_bases(void) {
    unsigned long fs = 0, gs = 0;
    if (syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs) ||
        syscall(SYS_arch_prctl, 0x1004 /* ARCH_GET_GS */, &gs))
        die("arch_prctl(ARCH_GET_FS/GS)");
    g_ctx.fsbase = fs;
    g_ctx.gsbase = gs;
    g_ctx.has_fsgsbase = (getauxval(AT_HWCAP2) & 2 /* HWCAP2_FSGSBASE */) != 0;
}

/* Some hypervisors (e.g. PVM guests) let RDFSBASE/WRFSBASE execute although the kernel does
 * not advertise HWCAP2_FSGSBASE; snippets can then still clobber FS. Test the instruction. */
static void probe_fsgsbase(void) {
    if (g_ctx.has_fsgsbase) return;
    static const uint8_t rdfs[] = {0xF3, 0x48, 0x0F, 0xAE, 0xC0}; /* rdfsbase rax */
    uint64_t regs[16] = {0};
    regs[4] = STACK_BASE + 0x800;
    struct outcome o;
    exec_case(rdfs, sizeof rdfs, regs, 2, &o);
    if (o.status == 0 && o.regs[0] == g_ctx.fsbase) g_ctx.has_fsgsbase = 1;
}

static void setup_all(void) {
    selfcheck_fill();
    save_segment_bases();
    setup_memory();
    build_trampoline();
    install_signals();
    install_seccomp();
    probe_fsgsbase();
}

static int batch(void) {
    setup_all();
    size_t cap = CASE_SIZE * 4096, len = 0;
    uint8_t *in = malloc(cap);
    if (!in) die("malloc");
    for (;;) {
        ssize_t k = read(0, in + len, cap - len);
        if (k < 0) {
            if (errno == EINTR) continue;
            die("read failed");
        }
        if (k == 0) break;
        len += (size_t)k;
        size_t off = 0;
        while (len - off >= CASE_SIZE) {
            handle_case(in + off);
            off += CASE_SIZE;
        }
        memmove(in, in + off, len - off);
        len -= off;
        /* flush when the input pipe is drained, so streaming clients never stall */
        if (len == 0 || g_out_len > OUT_CAP / 2) out_flush();
    }
    out_flush();
    if (len != 0) {
        fprintf(stderr, "native-harness: trailing partial case record (%zu bytes)\n", len);
        return 2;
    }
    return 0;
}

/* ---- probe ------------------------------------------------------------------------------ */

static int run_probe_snippet(const uint8_t *code, uint32_t len, uint64_t rax, uint64_t rcx,
                             struct outcome *o) {
    uint64_t regs[16] = {0};
    regs[0] = rax;
    regs[1] = rcx;
    regs[4] = STACK_BASE + 0x800;
    exec_case(code, len, regs, 2, o);
    return o->status == 0;
}

static int probe(void) {
    unsigned a, b, c, d;
    char vendor[13] = {0}, brand[49] = {0};
    __cpuid(0, a, b, c, d);
    unsigned max_leaf = a;
    memcpy(vendor, &b, 4); memcpy(vendor + 4, &d, 4); memcpy(vendor + 8, &c, 4);
    __cpuid(1, a, b, c, d);
    unsigned fam = (a >> 8) & 0xf, model = (a >> 4) & 0xf, stepping = a & 0xf;
    if (fam == 0xf) fam += (a >> 20) & 0xff;
    if (fam >= 6) model |= ((a >> 16) & 0xf) << 4;
    int popcnt_id = (c >> 23) & 1, movbe_id = (c >> 22) & 1, hyp = (c >> 31) & 1;
    unsigned b7 = 0;
    if (max_leaf >= 7) { unsigned a7, c7, d7; __cpuid_count(7, 0, a7, b7, c7, d7); }
    __cpuid(0x80000000, a, b, c, d);
    unsigned max_ext = a, c81 = 0, d81 = 0;
    if (max_ext >= 0x80000001) { __cpuid(0x80000001, a, b, c, d); c81 = c; d81 = d; }
    if (max_ext >= 0x80000004) {
        unsigned *w = (unsigned *)brand;
        for (unsigned l = 0; l < 3; l++) __cpuid(0x80000002 + l, w[4 * l], w[4 * l + 1], w[4 * l + 2], w[4 * l + 3]);
    }
    for (int i = 47; i >= 0 && (brand[i] == ' ' || brand[i] == 0); i--) brand[i] = 0;
    char *bp = brand; while (*bp == ' ') bp++;
    for (char *q = bp; *q; q++) if (*q == '"' || *q == '\\') *q = '?';

    setup_all();
    memset(g_init, 0, sizeof g_init);
    memcpy(data_page, g_init, PAGE);
    memcpy(stack_page, g_init + PAGE, PAGE);
    struct outcome o;
    /* lzcnt eax, ecx (F3 0F BD C1) with ecx = 1: LZCNT -> 31, BSR -> 0 */
    static const uint8_t lz[] = {0xF3, 0x0F, 0xBD, 0xC1};
    int lz_ok = run_probe_snippet(lz, 4, 0x55, 1, &o);
    long lz1 = lz_ok ? (long)(o.regs[0] & 0xffffffff) : -1;
    int lz0_ok = run_probe_snippet(lz, 4, 0x55, 0, &o);
    long lz0 = lz0_ok ? (long)(o.regs[0] & 0xffffffff) : -1;
    /* tzcnt eax, ecx (F3 0F BC C1) with ecx = 0: TZCNT -> 32, BSF -> dest unchanged (0x55) */
    static const uint8_t tz[] = {0xF3, 0x0F, 0xBC, 0xC1};
    int tz_ok = run_probe_snippet(tz, 4, 0x55, 0, &o);
    long tz0 = tz_ok ? (long)(o.regs[0] & 0xffffffff) : -1;
    /* popcnt rax, rcx (F3 48 0F B8 C1) */
    static const uint8_t pc[] = {0xF3, 0x48, 0x0F, 0xB8, 0xC1};
    int pc_ok = run_probe_snippet(pc, 5, 0, 0xF0F0, &o);
    long pc_v = pc_ok ? (long)o.regs[0] : -1;
    /* andn rax, rcx, rax (BMI1, VEX C4 E2 F0 F2 C0): rax = ~rcx & rax */
    static const uint8_t an[] = {0xC4, 0xE2, 0xF0, 0xF2, 0xC0};
    int an_ok = run_probe_snippet(an, 5, 0xFF, 0x0F, &o);
    int andn = an_ok && o.regs[0] == 0xF0;
    /* ud2 / int3 / div-by-zero / #GP (hlt) vectors as reported by this kernel */
    static const uint8_t ud[] = {0x0F, 0x0B}, i3[] = {0xCC}, dz[] = {0x48, 0xF7, 0xF1}, hl[] = {0xF4};
    run_probe_snippet(ud, 2, 0, 0, &o); unsigned v_ud = o.vector, s_ud = o.signo;
    run_probe_snippet(i3, 1, 0, 0, &o); unsigned v_i3 = o.vector, s_i3 = o.signo;
    run_probe_snippet(dz, 3, 0, 0, &o); unsigned v_dz = o.vector, s_dz = o.signo;
    run_probe_snippet(hl, 1, 0, 0, &o); unsigned v_gp = o.vector, s_gp = o.signo, e_gp = o.err;

    printf("{\"vendor\":\"%s\",\"brand\":\"%s\",\"family\":%u,\"model\":%u,\"stepping\":%u,"
           "\"hypervisor\":%s,"
           "\"cpuid\":{\"abm_lzcnt\":%s,\"popcnt\":%s,\"bmi1\":%s,\"bmi2\":%s,\"movbe\":%s,"
           "\"adx\":%s,\"lm\":%s},"
           "\"behaviour\":{\"lzcnt\":%s,\"lzcnt_of_1\":%ld,\"lzcnt_of_0\":%ld,\"tzcnt\":%s,"
           "\"tzcnt_of_0\":%ld,\"popcnt\":%s,\"popcnt_of_0xF0F0\":%ld,\"andn\":%s},"
           "\"exceptions\":{\"ud2\":[%u,%u],\"int3\":[%u,%u],\"div0\":[%u,%u],\"hlt\":[%u,%u,%u]}}\n",
           vendor, bp, fam, model, stepping, hyp ? "true" : "false",
           (c81 >> 5) & 1 ? "true" : "false", popcnt_id ? "true" : "false",
           (b7 >> 3) & 1 ? "true" : "false", (b7 >> 8) & 1 ? "true" : "false",
           movbe_id ? "true" : "false", (b7 >> 19) & 1 ? "true" : "false",
           (d81 >> 29) & 1 ? "true" : "false",
           lz1 == 31 ? "true" : "false", lz1, lz0, tz0 == 32 ? "true" : "false", tz0,
           pc_ok && pc_v == 8 ? "true" : "false", pc_v, andn ? "true" : "false",
           v_ud, s_ud, v_i3, s_i3, v_dz, s_dz, v_gp, s_gp, e_gp);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--probe") == 0) return probe();
    if (argc > 1) {
        fprintf(stderr, "usage: %s [--probe]  (batch: 240-byte cases on stdin)\n", argv[0]);
        return 2;
    }
    return batch();
}
