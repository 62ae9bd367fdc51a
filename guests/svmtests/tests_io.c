/* tests_io.c - the I/O permission map (APM Vol 2 sec. 15.10: one bit per port, an access
 * exits if the bit of any byte it touches is set; EXITINFO1 = port, type, size, string,
 * REP, address size; EXITINFO2 = next RIP) and the MSR permission map (sec. 15.11: two bits
 * per MSR, read then write, in three 2 KiB ranges; EXITINFO1 = 0 RDMSR / 1 WRMSR). */
#include "harness.h"
#include "../lib/io.h"

G(inb); G(outw); G(inl); G(outb); G(outl); G(outsb); G(rdmsr); G(wrmsr);
extern uint8_t guest_scratch[];

static void iopm_set(unsigned port) { iopm[port / 8] |= (uint8_t)(1u << (port % 8)); }

enum { IO_BASIC, IO_A64, IO_EI2, IO_NRIP };

/* .b = port accessed, .word = port whose bit is set, .bits = EXITINFO1[6:0] expected */
static void t_io(const struct test *t)
{
    vmcb_reset(vmcb, t->guest);
    vset32(vmcb, VMCB_INTERCEPT_MISC1, I1_IOIO_PROT);
    iopm_set(t->word);
    guest_regs.rdx = t->b;
    guest_regs.rsi = pa(guest_scratch);
    guest_regs.rcx = 3;
    run_guest(vmcb);
    expect_exit(vmcb, t->exit);
    if (t->exit != VMEXIT_IOIO)
        return;
    uint64_t e1 = vr64(vmcb, VMCB_EXITINFO1);
    expect_eq("VMCB RIP", vr64(vmcb, VMCB_RIP), (uintptr_t)t->insn);
    switch (t->a) {
    case IO_BASIC: expect_eq("EXITINFO1 port, type, STR, REP, size", e1 & 0xFFFF007Full, (t->b << 16) | t->bits); break;
    case IO_A64: expect_eq("EXITINFO1 address size (bits 9:7)", e1 & 0x380, IOIO_A64); break;
    case IO_EI2: expect_eq("EXITINFO2 (next RIP)", vr64(vmcb, VMCB_EXITINFO2), (uintptr_t)t->next); break;
    case IO_NRIP: expect_eq("NRIP", vr64(vmcb, VMCB_NEXT_RIP), (uintptr_t)t->next); break;
    }
}

/* .b = MSR, .bits = MSRPM bits to set for it (1 read, 2 write), .a = EXITINFO1 expected */
static void t_msr(const struct test *t)
{
    vmcb_reset(vmcb, t->guest);
    vset32(vmcb, VMCB_INTERCEPT_MISC1, I1_MSR_PROT);
    uint32_t m = (uint32_t)t->b;
    unsigned base = m < 0x2000 ? 0 : m >= 0xC0010000u ? 0x1000 * 8 : 0x800 * 8;
    unsigned bit = base + (m & 0x1FFF) * 2;
    for (unsigned i = 0; i < 2; i++)
        if (t->bits & (1u << i))
            msrpm[(bit + i) / 8] |= (uint8_t)(1u << ((bit + i) % 8));
    uint64_t cur = rdmsr(m); /* a WRMSR that gets through writes the current value back */
    guest_regs.rcx = m;
    guest_regs.rdx = cur >> 32;
    vw64(vmcb, VMCB_RAX, (uint32_t)cur);
    run_guest(vmcb);
    expect_exit(vmcb, t->exit);
    if (t->exit != VMEXIT_MSR)
        return;
    expect_eq("VMCB RIP", vr64(vmcb, VMCB_RIP), (uintptr_t)t->insn);
    expect_eq("EXITINFO1 (0 RDMSR, 1 WRMSR)", vr64(vmcb, VMCB_EXITINFO1), t->a);
    if ((svm_edx & SVM_FEAT_NRIPS))
        expect_eq("NRIP", vr64(vmcb, VMCB_NEXT_RIP), (uintptr_t)t->next);
}

#define IO(nm, snip, port, bitport, flags, kind, code)                                                  \
    { .name = nm, .fn = t_io, .guest = g_##snip, .insn = g_##snip##_i, .next = g_##snip##_n, .b = port, \
      .word = bitport, .bits = flags, .a = kind, .exit = code }
#define MS(nm, snip, msr, mbits, info, code)                                                            \
    { .name = nm, .fn = t_msr, .guest = g_##snip, .insn = g_##snip##_i, .next = g_##snip##_n, .b = msr, \
      .bits = mbits, .a = info, .exit = code }

const struct test tests_io[] = {
    IO("io_inb_exitinfo1", inb, 0x1234, 0x1234, IOIO_TYPE_IN | IOIO_SZ8, IO_BASIC, VMEXIT_IOIO),
    IO("io_outw_exitinfo1", outw, 0x1236, 0x1236, IOIO_SZ16, IO_BASIC, VMEXIT_IOIO),
    IO("io_inl_exitinfo1", inl, 0x1238, 0x1238, IOIO_TYPE_IN | IOIO_SZ32, IO_BASIC, VMEXIT_IOIO),
    IO("io_rep_outsb_exitinfo1", outsb, 0x1239, 0x1239, IOIO_STR | IOIO_REP | IOIO_SZ8, IO_BASIC, VMEXIT_IOIO),
    { .name = "io_exitinfo1_address_size_a64", .fn = t_io, .guest = g_outsb, .insn = g_outsb_i, .next = g_outsb_n,
      .b = 0x1239, .word = 0x1239, .a = IO_A64, .exit = VMEXIT_IOIO, .flags = QEMU_DEVIATES,
      .note = "APM sec. 15.10.2 (IOIO EXITINFO1): bits 9:7 give the address size (A16/A32/A64); QEMU 7.2 leaves them 0" },
    IO("io_exitinfo2_next_rip", outw, 0x1236, 0x1236, 0, IO_EI2, VMEXIT_IOIO),
    { .name = "io_nrip", .fn = t_io, .guest = g_inl, .insn = g_inl_i, .next = g_inl_n, .b = 0x1238, .word = 0x1238,
      .a = IO_NRIP, .exit = VMEXIT_IOIO, .flags = NEED_NRIPS },
    IO("io_port_bit_clear_no_exit", outb, 0x80, 0x1234, 0, IO_BASIC, VMEXIT_VMMCALL),
    IO("io_word_straddle_second_byte_exits", outw, 0x1237, 0x1238, IOIO_SZ16, IO_BASIC, VMEXIT_IOIO),
    IO("io_dword_straddle_last_byte_exits", outl, 0x1240, 0x1243, IOIO_SZ32, IO_BASIC, VMEXIT_IOIO),
    IO("io_dword_neighbour_bit_no_exit", outl, 0x1240, 0x1244, 0, IO_BASIC, VMEXIT_VMMCALL),
    MS("msr_rdmsr_read_bit_exits", rdmsr, MSR_STAR, 1, 0, VMEXIT_MSR),
    MS("msr_wrmsr_write_bit_exits", wrmsr, MSR_SYSENTER_CS, 2, 1, VMEXIT_MSR),
    MS("msr_wrmsr_read_bit_only_no_exit", wrmsr, MSR_STAR, 1, 0, VMEXIT_VMMCALL),
    MS("msr_rdmsr_write_bit_only_no_exit", rdmsr, MSR_STAR, 2, 0, VMEXIT_VMMCALL),
    MS("msr_rdmsr_bits_clear_no_exit", rdmsr, MSR_LSTAR, 0, 0, VMEXIT_VMMCALL),
    MS("msr_rdmsr_range_0000_exits", rdmsr, MSR_TSC, 1, 0, VMEXIT_MSR),
    MS("msr_rdmsr_range_c001_exits", rdmsr, MSR_VM_HSAVE_PA, 1, 0, VMEXIT_MSR),
    MS("msr_wrmsr_range_c000_exits", wrmsr, MSR_KERNEL_GS, 2, 1, VMEXIT_MSR),
    { 0 },
};
