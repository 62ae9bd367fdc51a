/**
 * Native x86-64 oracle: runs short machine-code snippets on the host CPU (Linux x86-64,
 * user mode) via the C harness `native-harness.c` and returns the final machine state, so
 * the emulator can be compared against real hardware. Test infrastructure only (Node).
 *
 * Binary protocol (little-endian; must match the big comment at the top of native-harness.c):
 *
 * Case record, fixed 240 bytes:
 *     0  u32 id             4  u32 code_len (<= 64)      8  u8 code[64]
 *    72  u64 regs[16]  (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15)
 *   200  u64 rflags    (harness masks to CF|PF|AF|ZF|SF|DF|OF and forces bit 1: 0xCD7 | 2)
 *   208  u32 mem_seed   212  u32 flags (0)   216..239 zero padding
 *
 * Result record, variable size, packed:
 *     0  u32 id   4 u32 status (0 ok, 1 fault, 2 timeout, 3 syscall)   8 u32 vector
 *    12  u32 error_code   16 u32 signo   20 u32 si_code   24 u64 regs[16]
 *   152  u64 rip   160 u64 rflags   168 u64 fault_addr   176 u32 n_changed
 *   180  n_changed x { u16 offset_in_combined_region; u8 value; u8 pad }
 *
 * Memory: CODE_BASE page (RWX; snippet, then exit trampoline, rest 0xCC), DATA_BASE page and
 * STACK_BASE page (RW), everything else around them unmapped. The "combined region" is the
 * 8192 bytes data page ++ stack page, filled per case by fillOracleMemory(memSeed).
 */
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_BASE = 0x0020_0000;
export const DATA_BASE = 0x0030_0000;
export const STACK_BASE = 0x0031_0000;
/** Size of each of the data and stack pages. */
export const PAGE_SIZE = 4096;
/** Size of the combined region (data page followed by stack page). */
export const REGION_SIZE = 8192;
/** Typical initial RSP (middle of the stack page). */
export const DEFAULT_RSP = 0x0031_0800;
export const MAX_CODE_LEN = 64;
export const CASE_RECORD_SIZE = 240;
export const RESULT_HEADER_SIZE = 180;
/** Input RFLAGS bits the harness honours (CF PF AF ZF SF DF OF); bit 1 is always set. */
export const RFLAGS_INPUT_MASK = 0xcd7;

/** GPR index in x86 encoding order (regs[] arrays). */
export const REG = {
  RAX: 0, RCX: 1, RDX: 2, RBX: 3, RSP: 4, RBP: 5, RSI: 6, RDI: 7,
  R8: 8, R9: 9, R10: 10, R11: 11, R12: 12, R13: 13, R14: 14, R15: 15,
} as const;

/** Combined-region offset of a guest address, or -1 if outside data/stack pages. */
export function regionOffset(addr: number): number {
  if (addr >= DATA_BASE && addr < DATA_BASE + PAGE_SIZE) return addr - DATA_BASE;
  if (addr >= STACK_BASE && addr < STACK_BASE + PAGE_SIZE) return addr - STACK_BASE + PAGE_SIZE;
  return -1;
}

/** Guest address of a combined-region offset (0..8191). */
export function regionAddress(offset: number): number {
  return offset < PAGE_SIZE ? DATA_BASE + offset : STACK_BASE + (offset - PAGE_SIZE);
}

/**
 * Initial contents of the combined region (8192 bytes: data page then stack page).
 * xorshift32: x = seed || 0x12345678; per 4-byte word: x ^= x << 13; x ^= x >>> 17;
 * x ^= x << 5; store x little-endian. The first stored word is the first output.
 */
export function fillOracleMemory(seed: number, out: Uint8Array): void {
  let x = seed >>> 0 || 0x12345678;
  const n = Math.min(out.length, REGION_SIZE) & ~3;
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
    out[i + 1] = (x >>> 8) & 0xff;
    out[i + 2] = (x >>> 16) & 0xff;
    out[i + 3] = x >>> 24;
  }
}

export interface OracleCase {
  code: Uint8Array;
  /** 16 GPRs in x86 encoding order (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15). */
  regs: BigUint64Array | bigint[];
  /** Only CF PF AF ZF SF DF OF are honoured; bit 1 is forced. */
  rflags: bigint | number;
  memSeed: number;
}

export type OracleStatus = 'ok' | 'fault' | 'timeout' | 'syscall';

export interface OracleResult {
  /**
   * ok: RIP reached the trampoline (rip = CODE_BASE + code.length).
   * fault: a CPU exception (vector/errorCode from the kernel's REG_TRAPNO/REG_ERR).
   * timeout: still running after 100..200 ms (regs/rip = where it was interrupted).
   * syscall: SYSCALL (or INT 80h where the kernel allows it) executed; blocked by seccomp
   *          and never performed. vector = syscall number; rip = after the instruction,
   *          RCX/R11 hold the return RIP/RFLAGS as SYSCALL set them. Not comparable; skip.
   */
  status: OracleStatus;
  vector: number;
  errorCode: number;
  regs: bigint[];
  /** status ok: CODE_BASE + code length; otherwise RIP of the faulting instruction
   *  (or, for traps like INT3, of the following instruction, as the CPU reports it). */
  rip: bigint;
  /** Raw RFLAGS (compare under a mask: ignore RF/TF/IF/reserved bits). */
  rflags: bigint;
  /** Host signal number (0 for ok). 11 SIGSEGV, 7 SIGBUS, 4 SIGILL, 8 SIGFPE, 5 SIGTRAP, 31 SIGSYS, 14 SIGALRM. */
  signo: number;
  /** siginfo si_code (1 SEGV_MAPERR, 2 SEGV_ACCERR, 0x80 SI_KERNEL, ...). */
  siCode: number;
  /** siginfo si_addr: data address for #PF, 0 for #GP, instruction address for SIGILL/SIGFPE/SIGTRAP. */
  faultAddr: bigint;
  /** [offset in combined region, final byte] for every byte that differs from the initial fill. */
  changed: Array<[offset: number, value: number]>;
}

const STATUS: OracleStatus[] = ['ok', 'fault', 'timeout', 'syscall'];

function harnessSourcePath(): string {
  return fileURLToPath(new URL('./native-harness.c', import.meta.url));
}

let compiled: Promise<string> | undefined;

/**
 * Compile native-harness.c with gcc -O2 into os.tmpdir()/pacifica-oracle-<sha>/harness
 * (cached by source hash; reused across processes). Rejects with a clear message if gcc
 * is missing or this is not Linux x86-64.
 */
export function compileHarness(): Promise<string> {
  compiled ??= doCompile().catch((e) => {
    compiled = undefined;
    throw e;
  });
  return compiled;
}

async function doCompile(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`native oracle needs Linux x86-64 (this is ${process.platform}/${process.arch})`);
  }
  const src = harnessSourcePath();
  const text = readFileSync(src);
  const sha = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `pacifica-oracle-${sha}`);
  const exe = join(dir, 'harness');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const tmp = `${exe}.${process.pid}.${Date.now()}.tmp`;
  const gcc = process.env.CC || 'gcc';
  await new Promise<void>((resolve, reject) => {
    execFile(gcc, ['-O2', '-o', tmp, src], (err, _stdout, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') {
        reject(new Error(`native oracle: '${gcc}' not found; install gcc (apt-get install gcc) to run hardware comparison tests`));
      } else {
        reject(new Error(`native oracle: compiling ${src} failed:\n${stderr}`));
      }
    });
  });
  renameSync(tmp, exe); // atomic; a concurrent compile of the same source is harmless
  return exe;
}

function toBig(v: bigint | number): bigint {
  return typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(v));
}

/** Encode cases [start, end) into 240-byte records (id = index). */
export function encodeCases(cases: readonly OracleCase[], start = 0, end = cases.length): Uint8Array {
  const buf = new Uint8Array((end - start) * CASE_RECORD_SIZE);
  const dv = new DataView(buf.buffer);
  for (let i = start; i < end; i++) {
    const c = cases[i];
    const o = (i - start) * CASE_RECORD_SIZE;
    if (c.code.length > MAX_CODE_LEN) throw new Error(`oracle case ${i}: code longer than ${MAX_CODE_LEN} bytes`);
    if (c.regs.length !== 16) throw new Error(`oracle case ${i}: need 16 registers, got ${c.regs.length}`);
    dv.setUint32(o, i >>> 0, true);
    dv.setUint32(o + 4, c.code.length, true);
    buf.set(c.code, o + 8);
    const regs = c.regs;
    if (regs instanceof BigUint64Array) {
      buf.set(new Uint8Array(regs.buffer, regs.byteOffset, 128), o + 72);
    } else {
      for (let r = 0; r < 16; r++) dv.setBigUint64(o + 72 + 8 * r, BigInt.asUintN(64, regs[r]), true);
    }
    if (typeof c.rflags === 'number' && c.rflags >= 0 && c.rflags <= 0xffff_ffff) dv.setUint32(o + 200, c.rflags, true);
    else dv.setBigUint64(o + 200, toBig(c.rflags), true);
    dv.setUint32(o + 208, c.memSeed >>> 0, true);
  }
  return buf;
}

/** Incremental parser for the harness's result stream. */
class ResultParser {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  readonly results: OracleResult[] = [];

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    if (this.pendingLen < RESULT_HEADER_SIZE) return;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLen);
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let off = 0;
    while (buf.length - off >= RESULT_HEADER_SIZE) {
      const n = dv.getUint32(off + 176, true);
      const size = RESULT_HEADER_SIZE + 4 * n;
      if (buf.length - off < size) break;
      this.results.push(parseResult(buf, dv, off, n));
      off += size;
    }
    const rest = buf.subarray(off);
    this.pending = rest.length ? [rest] : [];
    this.pendingLen = rest.length;
  }

  get leftover(): number {
    return this.pendingLen;
  }
}

function parseResult(buf: Buffer, dv: DataView, off: number, n: number): OracleResult & { id: number } {
  const regs: bigint[] = new Array(16);
  for (let r = 0; r < 16; r++) regs[r] = dv.getBigUint64(off + 24 + 8 * r, true);
  const changed: Array<[number, number]> = new Array(n);
  for (let k = 0, p = off + RESULT_HEADER_SIZE; k < n; k++, p += 4) changed[k] = [buf[p] | (buf[p + 1] << 8), buf[p + 2]];
  const st = dv.getUint32(off + 4, true);
  const status = STATUS[st];
  if (status === undefined) throw new Error(`native oracle: bad status ${st}`);
  return {
    id: dv.getUint32(off, true),
    status,
    vector: dv.getUint32(off + 8, true),
    errorCode: dv.getUint32(off + 12, true),
    signo: dv.getUint32(off + 16, true),
    siCode: dv.getUint32(off + 20, true),
    regs,
    rip: dv.getBigUint64(off + 152, true),
    rflags: dv.getBigUint64(off + 160, true),
    faultAddr: dv.getBigUint64(off + 168, true),
    changed,
  };
}

/**
 * Run all cases in one harness process (streams input while reading output; fine for
 * millions of cases). Results are in case order. Rejects if the harness fails.
 */
export async function runNative(cases: readonly OracleCase[]): Promise<OracleResult[]> {
  const exe = await compileHarness();
  if (cases.length === 0) return [];
  const child = spawn(exe, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const parser = new ResultParser();
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => parser.push(c));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(signal ? -1 : code));
  });
  let writeError: Error | undefined;
  child.stdin.on('error', (e) => (writeError = e));

  // Encode and write in chunks, honouring backpressure so memory stays bounded.
  const CHUNK = 4096;
  for (let i = 0; i < cases.length && !writeError && child.exitCode === null; i += CHUNK) {
    const rec = encodeCases(cases, i, Math.min(cases.length, i + CHUNK));
    if (!child.stdin.write(rec)) {
      await new Promise<void>((resolve) => {
        const done = () => { child.stdin.off('drain', done); child.off('close', done); resolve(); };
        child.stdin.once('drain', done);
        child.once('close', done);
      });
    }
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) {
    throw new Error(`native oracle harness exited with ${code === -1 ? 'a signal' : `code ${code}`}: ${stderr.trim() || writeError?.message || ''}`);
  }
  const res = parser.results as Array<OracleResult & { id: number }>;
  if (res.length !== cases.length || parser.leftover !== 0) {
    throw new Error(`native oracle: expected ${cases.length} results, got ${res.length} (+${parser.leftover} stray bytes). ${stderr}`);
  }
  for (let i = 0; i < res.length; i++) {
    if (res[i].id !== (i >>> 0)) throw new Error(`native oracle: result ${i} has id ${res[i].id}`);
    delete (res[i] as { id?: number }).id;
  }
  return res;
}

/** Convenience: run a single case. */
export async function runNativeOne(c: OracleCase): Promise<OracleResult> {
  return (await runNative([c]))[0];
}

export interface HostProbe {
  vendor: string;
  brand: string;
  family: number;
  model: number;
  stepping: number;
  hypervisor: boolean;
  /** What CPUID claims. */
  cpuid: { abm_lzcnt: boolean; popcnt: boolean; bmi1: boolean; bmi2: boolean; movbe: boolean; adx: boolean; lm: boolean };
  /** What actually executes: lzcnt true iff LZCNT(1) = 31 (else F3 0F BD ran as BSR), etc. */
  behaviour: {
    lzcnt: boolean; lzcnt_of_1: number; lzcnt_of_0: number;
    tzcnt: boolean; tzcnt_of_0: number;
    popcnt: boolean; popcnt_of_0xF0F0: number;
    andn: boolean;
  };
  /** [vector, signo] (hlt: [vector, signo, error code]) as this kernel reports them. */
  exceptions: { ud2: [number, number]; int3: [number, number]; div0: [number, number]; hlt: [number, number, number] };
}

/** Describe the host CPU (vendor, family/model, CPUID bits, and measured behaviour). */
export async function probeHost(): Promise<HostProbe> {
  const exe = await compileHarness();
  const out = await new Promise<string>((resolve, reject) => {
    execFile(exe, ['--probe'], (err, stdout, stderr) => (err ? reject(new Error(`harness --probe failed: ${stderr || err.message}`)) : resolve(stdout)));
  });
  return JSON.parse(out.trim()) as HostProbe;
}

/** Remove cached harness builds for other source versions (optional housekeeping). */
export function clearHarnessCache(): void {
  const sha = createHash('sha256').update(readFileSync(harnessSourcePath())).digest('hex').slice(0, 16);
  rmSync(join(tmpdir(), `pacifica-oracle-${sha}`), { recursive: true, force: true });
  compiled = undefined;
}
