/**
 * Self-test of the native oracle. Run:  npx tsx src/emu/cpu/oracle/native.selftest.ts
 * Exits non-zero on failure. Prints timings and how the host kernel reports exceptions.
 */
import {
  CODE_BASE, DATA_BASE, DEFAULT_RSP, REG, REGION_SIZE, STACK_BASE,
  compileHarness, fillOracleMemory, probeHost, runNative,
  type OracleCase, type OracleResult,
} from './native.ts';

let failures = 0;
function check(cond: boolean, what: string): void {
  if (!cond) {
    failures++;
    console.log(`FAIL: ${what}`);
  }
}
const hex = (v: bigint | number) => '0x' + v.toString(16);

const CF = 1n, PF = 4n, AF = 0x10n, ZF = 0x40n, SF = 0x80n, DF = 0x400n, OF = 0x800n;
const ARITH = CF | PF | AF | ZF | SF | OF;
const M64 = (1n << 64n) - 1n;

function mkCase(code: number[], set: Partial<Record<keyof typeof REG, bigint>> = {}, rflags: bigint = 2n, memSeed = 1): OracleCase {
  const regs = new BigUint64Array(16);
  for (let i = 0; i < 16; i++) regs[i] = 0x1111_1111_1111_1111n * BigInt(i + 1);
  regs[REG.RSP] = BigInt(DEFAULT_RSP);
  for (const [k, v] of Object.entries(set)) regs[REG[k as keyof typeof REG]] = BigInt.asUintN(64, v!);
  return { code: Uint8Array.from(code), regs, rflags, memSeed };
}

function parity(x: bigint): bigint {
  let b = Number(x & 0xffn), p = 1;
  while (b) { p ^= b & 1; b >>= 1; }
  return p ? PF : 0n;
}

/** Reference 64-bit add/sub flags. */
function refAddSub(a: bigint, b: bigint, sub: boolean): { r: bigint; f: bigint } {
  const r = (sub ? a - b : a + b) & M64;
  let f = 0n;
  if (sub ? a < b : a + b > M64) f |= CF;
  f |= parity(r);
  if (((a ^ b ^ r) & 0x10n) !== 0n) f |= AF;
  if (r === 0n) f |= ZF;
  if (r >> 63n) f |= SF;
  const sa = a >> 63n, sb = b >> 63n, sr = r >> 63n;
  if (sub ? sa !== sb && sr !== sa : sa === sb && sr !== sa) f |= OF;
  return { r, f };
}

function describe(r: OracleResult): string {
  return `status=${r.status} vector=${r.vector} err=${hex(r.errorCode)} signo=${r.signo} si_code=${hex(r.siCode)} rip=${hex(r.rip)} addr=${hex(r.faultAddr)} rflags=${hex(r.rflags)} changed=${r.changed.length}`;
}

async function main(): Promise<void> {
  let t = performance.now();
  const exe = await compileHarness();
  console.log(`harness: ${exe} (${(performance.now() - t).toFixed(0)} ms)`);

  t = performance.now();
  const probe = await probeHost();
  console.log(`probe (${(performance.now() - t).toFixed(0)} ms): ${JSON.stringify(probe)}`);

  const init = new Uint8Array(REGION_SIZE);
  fillOracleMemory(1, init);
  const initWord = (off: number) => init[off] | (init[off + 1] << 8) | (init[off + 2] << 16) | (init[off + 3] * 2 ** 24);

  // --- directed cases -------------------------------------------------------------------
  const named: Array<[string, OracleCase]> = [
    ['add rax,rbx', mkCase([0x48, 0x01, 0xd8], { RAX: 5n, RBX: 7n })],
    ['add overflow', mkCase([0x48, 0x01, 0xd8], { RAX: 0x7fff_ffff_ffff_ffffn, RBX: 1n })],
    ['div rcx (rcx=0)', mkCase([0x48, 0xf7, 0xf1], { RCX: 0n })],
    ['idiv INT64_MIN/-1', mkCase([0x48, 0xf7, 0xf9], { RAX: 1n << 63n, RDX: M64, RCX: M64 })],
    ['ud2', mkCase([0x0f, 0x0b])],
    ['mov rax,[0]', mkCase([0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0])],
    ['mov [rdi],eax', mkCase([0x89, 0x07], { RDI: BigInt(DATA_BASE + 16), RAX: BigInt((~initWord(16)) >>> 0) | 0xdead_0000_0000_0000n })],
    ['push rax', mkCase([0x50], { RAX: 0x0102_0304_0506_0708n })],
    ['jmp $ (EB FE)', mkCase([0xeb, 0xfe])],
    ['int3', mkCase([0xcc])],
    ['int 3 (CD 03)', mkCase([0xcd, 0x03])],
    ['int1 (F1)', mkCase([0xf1])],
    ['int 0x21', mkCase([0xcd, 0x21])],
    ['hlt', mkCase([0xf4])],
    ['mov rax,[rbx] non-canonical', mkCase([0x48, 0x8b, 0x03], { RBX: 0x8000_0000_0000_0000n })],
    ['mov rax,[rsp] rsp non-canonical', mkCase([0x48, 0x8b, 0x04, 0x24], { RSP: 0x8000_0000_0000_0000n })],
    ['mov rax,[rbx] kernel half', mkCase([0x48, 0x8b, 0x03], { RBX: 0xffff_8000_0000_0000n })],
    ['mov [rbx],eax unmapped (write)', mkCase([0x89, 0x03], { RBX: BigInt(DATA_BASE + 4096) })],
    ['push at stack bottom', mkCase([0x50], { RSP: BigInt(STACK_BASE) })],
    ['mov [rbx],al code page (RWX)', mkCase([0x88, 0x03], { RBX: BigInt(CODE_BASE + 0x800) })],
    ['jmp rbx -> data (NX fetch)', mkCase([0xff, 0xe3], { RBX: BigInt(DATA_BASE) })],
    ['jmp rbx -> unmapped', mkCase([0xff, 0xe3], { RBX: 0x1234_5000n })],
    ['jmp rbx -> non-canonical', mkCase([0xff, 0xe3], { RBX: 0x8000_0000_0000_0000n })],
    ['ret (random return address)', mkCase([0xc3], {}, 2n, 7)],
    ['jmp rbx -> 0xCC fill', mkCase([0xff, 0xe3], { RBX: BigInt(CODE_BASE + 0x400) })],
    ['wrfsbase rax (harness survives)', mkCase([0xf3, 0x48, 0x0f, 0xae, 0xd0], { RAX: 0x1234n })],
    ['syscall', mkCase([0x0f, 0x05], { RAX: 39n })],
    ['int 0x80', mkCase([0xcd, 0x80], { RAX: 20n })],
    ['std (DF out)', mkCase([0xfd])],
    ['DF in + movsb', mkCase([0xa4], { RSI: BigInt(DATA_BASE + 100), RDI: BigInt(DATA_BASE + 200) }, DF | 2n)],
    ['all flags in', mkCase([0x90], {}, ARITH | DF | 2n)],
    ['in al,dx', mkCase([0xec])],
    ['cli', mkCase([0xfa])],
    ['mov cr0-ish (0F 20 C0)', mkCase([0x0f, 0x20, 0xc0])],
    ['lock nop (#UD)', mkCase([0xf0, 0x90])],
    ['rep stosb across page end', mkCase([0xf3, 0xaa], { RDI: BigInt(DATA_BASE + 4090), RCX: 16n, RAX: 0n })],
    ['empty snippet', mkCase([])],
    ['movaps misaligned (#GP)', mkCase([0x0f, 0x28, 0x03], { RBX: BigInt(DATA_BASE + 8) })],
  ];
  t = performance.now();
  const res = await runNative(named.map(([, c]) => c));
  console.log(`directed: ${named.length} cases in ${(performance.now() - t).toFixed(0)} ms`);
  const R = new Map(named.map(([n], i) => [n, res[i]]));
  for (const [n] of named) console.log(`  ${n.padEnd(34)} ${describe(R.get(n)!)}`);

  {
    const r = R.get('add rax,rbx')!;
    check(r.status === 'ok' && r.regs[REG.RAX] === 12n && r.regs[REG.RBX] === 7n, 'add result');
    check((r.rflags & ARITH) === PF, `add flags ${hex(r.rflags)}`);
    check(r.rip === BigInt(CODE_BASE + 3), 'add rip');
    check(r.regs[REG.RSP] === BigInt(DEFAULT_RSP) && r.regs[REG.R15] === BigInt.asUintN(64, 0x1111_1111_1111_1111n * 16n) && r.regs[REG.RDI] === 0x1111_1111_1111_1111n * 8n, 'untouched regs preserved');
    check(r.changed.length === 0, 'add changes no memory');
    const o = R.get('add overflow')!;
    check(o.regs[REG.RAX] === 1n << 63n && (o.rflags & ARITH) === (OF | SF | AF | PF), `add overflow flags ${hex(o.rflags)}`);
  }
  {
    const r = R.get('div rcx (rcx=0)')!;
    check(r.status === 'fault' && r.vector === 0 && r.rip === BigInt(CODE_BASE), 'div0 -> #DE at the div');
    check(R.get('idiv INT64_MIN/-1')!.vector === 0, 'idiv overflow -> #DE');
    check(R.get('ud2')!.status === 'fault' && R.get('ud2')!.vector === 6, 'ud2 -> #UD');
    const m = R.get('mov rax,[0]')!;
    check(m.status === 'fault' && (m.vector === 14 || m.vector === 13), 'mov rax,[0] faults');
    check(m.regs[REG.RAX] === 0x1111_1111_1111_1111n && m.rip === BigInt(CODE_BASE), 'regs unchanged at fault');
  }
  {
    const r = R.get('mov [rdi],eax')!;
    check(r.status === 'ok' && r.changed.length === 4, `mov [rdi],eax changes 4 bytes (${r.changed.length})`);
    check(r.changed.map(([o]) => o).join() === '16,17,18,19', 'changed offsets 16..19');
    const v = Number(BigInt.asUintN(32, r.regs[REG.RAX]));
    check(r.changed.every(([o, b], k) => o === 16 + k && b === ((v >>> (8 * k)) & 0xff)), 'changed values = eax');
    const p = R.get('push rax')!;
    check(p.regs[REG.RSP] === BigInt(DEFAULT_RSP - 8), 'push rsp');
    const off = DEFAULT_RSP - 8 - STACK_BASE + 4096;
    const want = [8, 7, 6, 5, 4, 3, 2, 1];
    const got = new Map(p.changed);
    check(want.every((b, k) => (got.has(off + k) ? got.get(off + k) : init[off + k]) === b), 'push writes rax to stack region');
    check(R.get('jmp $ (EB FE)')!.status === 'timeout', 'EB FE -> timeout');
    check(R.get('syscall')!.status === 'syscall', 'syscall blocked');
    const d = R.get('std (DF out)')!;
    check((d.rflags & DF) !== 0n, 'std -> DF reported');
    const ms = R.get('DF in + movsb')!;
    check(ms.regs[REG.RSI] === BigInt(DATA_BASE + 99) && ms.changed.length <= 1, 'DF honoured by movsb');
    check((R.get('all flags in')!.rflags & (ARITH | DF)) === (ARITH | DF), 'flags round-trip');
    check(R.get('jmp rbx -> 0xCC fill')!.vector === 3 && R.get('jmp rbx -> 0xCC fill')!.rip === BigInt(CODE_BASE + 0x401), 'int3 fill');
    check(R.get('empty snippet')!.status === 'ok' && R.get('empty snippet')!.rip === BigInt(CODE_BASE), 'empty snippet');
  }

  // --- memory fill agreement: load words from both pages natively, compare with fillOracleMemory
  {
    const seeds = [0, 1, 2, 0x12345678, 0xdeadbeef, 0xffffffff];
    const offs = [0, 8, 1024, 4088, 4096, 6000, 8184];
    const fc: OracleCase[] = [];
    for (const sd of seeds) for (const o of offs) fc.push(mkCase([0x48, 0x8b, 0x07], { RDI: BigInt(o < 4096 ? DATA_BASE + o : STACK_BASE + o - 4096) }, 2n, sd));
    const fr = await runNative(fc);
    let k = 0, badFill = 0;
    const mem = new Uint8Array(REGION_SIZE);
    for (const sd of seeds) {
      fillOracleMemory(sd, mem);
      const dv = new DataView(mem.buffer);
      for (const o of offs) if (fr[k++].regs[REG.RAX] !== dv.getBigUint64(o, true)) badFill++;
    }
    check(badFill === 0, `fillOracleMemory disagrees with the harness in ${badFill} loads`);
  }

  // --- 100k random add/sub ------------------------------------------------------------------
  const N = 100_000;
  let seed = 0x9e3779b9;
  const rnd32 = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
  // add/sub r/m64, r64 with random registers (not RSP): 48+REX.R/B 01|29 modrm(11 reg rm)
  const cases: OracleCase[] = new Array(N);
  const meta: Array<{ sub: boolean; dst: number; src: number }> = new Array(N);
  t = performance.now();
  for (let i = 0; i < N; i++) {
    const sub = (rnd32() & 1) === 1;
    let dst = rnd32() & 15, src = rnd32() & 15;
    if (dst === 4) dst = 0;
    if (src === 4) src = 3;
    const rex = 0x48 | (src >= 8 ? 4 : 0) | (dst >= 8 ? 1 : 0);
    const regs = new BigUint64Array(16);
    const w = new Uint32Array(regs.buffer);
    for (let k = 0; k < 32; k++) w[k] = rnd32();
    const e = rnd32() & 7; // bias one operand towards edge values
    if (e < 3) regs[e < 2 ? dst : src] = [0n, 1n, M64, 1n << 63n, (1n << 63n) - 1n, 0x0fn, 0x10n][rnd32() % 7];
    regs[REG.RSP] = BigInt(DEFAULT_RSP);
    cases[i] = { code: Uint8Array.of(rex, sub ? 0x29 : 0x01, 0xc0 | ((src & 7) << 3) | (dst & 7)), regs, rflags: BigInt(rnd32() & 0xcd5) | 2n, memSeed: (rnd32() % 4) + 1 };
    meta[i] = { sub, dst, src };
  }
  const tGen = performance.now() - t;
  t = performance.now();
  const out = await runNative(cases);
  const tRun = performance.now() - t;
  let bad = 0;
  for (let i = 0; i < N; i++) {
    const r = out[i], c = cases[i], m = meta[i];
    const a = BigInt(c.regs[m.dst]), b = BigInt(c.regs[m.src]);
    const e = refAddSub(a, b, m.sub);
    const ok = r.status === 'ok' && r.regs[m.dst] === e.r && (r.rflags & ARITH) === e.f && r.changed.length === 0 &&
      r.rip === BigInt(CODE_BASE + 3) && (r.rflags & DF) === (BigInt(c.rflags) & DF);
    if (!ok && bad++ < 5) console.log(`  mismatch case ${i}: ${JSON.stringify(meta[i])} a=${hex(a)} b=${hex(b)} want r=${hex(e.r)} f=${hex(e.f)}; got ${describe(r)} r=${hex(r.regs[m.dst])}`);
  }
  check(bad === 0, `${bad} random add/sub mismatches`);
  console.log(`random add/sub: ${N} cases, generate ${tGen.toFixed(0)} ms, runNative ${tRun.toFixed(0)} ms ` +
    `(${Math.round(N / (tRun / 1000)).toLocaleString('en-US')} cases/s end-to-end)`);

  // Memory-heavy variant: every case writes and pushes (exercise diff + result parsing).
  const cases2 = cases.map((c, i) => ({ ...c, code: Uint8Array.of(0x50, 0x48, 0x89, 0x07), memSeed: i }));
  for (const c of cases2) { (c.regs as BigUint64Array)[REG.RDI] = BigInt(DATA_BASE + 64); }
  t = performance.now();
  const out2 = await runNative(cases2);
  const tRun2 = performance.now() - t;
  check(out2.every((r) => r.status === 'ok'), 'push+store cases ok');
  console.log(`push+store (unique seeds): ${N} cases in ${tRun2.toFixed(0)} ms (${Math.round(N / (tRun2 / 1000)).toLocaleString('en-US')} cases/s)`);

  // Fault-heavy variant.
  const cases3 = cases.map((c) => ({ ...c, code: Uint8Array.of(0x0f, 0x0b) }));
  t = performance.now();
  const out3 = await runNative(cases3);
  const tRun3 = performance.now() - t;
  check(out3.every((r) => r.status === 'fault' && r.vector === 6), 'ud2 cases fault');
  console.log(`all-faulting (ud2): ${N} cases in ${tRun3.toFixed(0)} ms (${Math.round(N / (tRun3 / 1000)).toLocaleString('en-US')} cases/s)`);

  console.log(failures ? `${failures} FAILURE(S)` : 'native oracle selftest: all checks passed');
  process.exitCode = failures ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
