// Native oracle generators: control flow, string instructions (bulk REP too), atomics, exceptions, NOPs and hints.
// Registered in this order by cases.ts (the order decides each seed's cases).
import { sizePrefix, imm, baseState, encodeModrm, ALL, SIZES, WSIZES, mk, immBytes, type Add } from './cases-kit';
import { AF } from '../flags';
import { DATA_BASE } from './native';

export function controlCases(add: Add): void {
  // Control flow.
  add('jcc', (r) => {
    const st = baseState(r);
    const cc = r.int(16);
    // Set flags with a compare first, then branch over an increment.
    const sz = r.pick(SIZES);
    const e = encodeModrm(r, { op: [0x38 + (sz === 1 ? 0 : 1)], size: sz, regOnly: true }, st.regs);
    const near = r.bool(0.3);
    const br = near ? [0x0f, 0x80 + cc, 3, 0, 0, 0] : [0x70 + cc, 3];
    return mk(`cmp+j${cc}`, [...e.bytes, ...br, 0x48, 0xff, 0xc0 /* inc rax */], st);
  });
  add('alu+jcc', (r) => {
    // A logic, subtract or compare instruction (register, E,imm8 and accumulator forms), then a
    // conditional branch: compiled blocks test the first one's operands and result directly in the
    // branch (jit/inline.ts emitFusedJcc). Equal registers (cmp r,r; test r,r) a third of the time.
    const st = baseState(r);
    const cc = r.int(16);
    const sz = r.pick(SIZES);
    const op = r.pick([1, 4, 5, 6, 7, 8]); // or, and, sub, xor, cmp; 8: test
    const form = op === 8 ? 0 : r.int(3);
    let bytes: number[];
    if (form === 0) {
      const e = encodeModrm(r, { op: [op === 8 ? (sz === 1 ? 0x84 : 0x85) : op * 8 + (sz === 1 ? 0 : 1)], size: sz, regOnly: true }, st.regs, { avoid: [4] });
      if (r.bool(0.5)) st.regs[e.rm] = st.regs[e.reg]!;
      bytes = e.bytes;
    } else {
      // Half the time the register holds the immediate (sign-extended): equal operands, zero results.
      const e = form === 1 ? encodeModrm(r, { op: [sz === 1 ? 0x80 : 0x83], size: sz, ext: op, regOnly: true }, st.regs, { avoid: [4] }) : null;
      const ib = imm(r, e !== null ? 1 : immBytes(sz));
      let v = 0n;
      for (let k = ib.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(ib[k]!);
      v = BigInt.asUintN(64, BigInt.asIntN(ib.length * 8, v));
      const reg = e !== null ? e.rm : 0;
      if (r.bool(0.5)) st.regs[reg] = r.bool() ? v : (st.regs[reg]! & ~((1n << BigInt(sz * 8)) - 1n)) | (v & ((1n << BigInt(sz * 8)) - 1n));
      bytes = e !== null ? [...e.bytes, ...ib] : [...sizePrefix(sz), op * 8 + (sz === 1 ? 4 : 5), ...ib];
    }
    const near = r.bool(0.3);
    const br = near ? [0x0f, 0x80 + cc, 3, 0, 0, 0] : [0x70 + cc, 3];
    return mk(`alu${op}+j${cc}`, [...bytes, ...br, 0x48, 0xff, 0xc0 /* inc rax */], st, op === 5 || op === 7 ? 0 : AF);
  });
  add('loop/jrcxz', (r) => {
    const st = baseState(r);
    const op = r.pick([0xe0, 0xe1, 0xe2, 0xe3]);
    st.regs[1] = r.pick([0n, 1n, 2n, 0x100000000n, 0x100000001n, 0xffffffffn, 0x10000n, 0x10001n]);
    const a67 = r.bool(0.3) ? [0x67] : [];
    return mk(`loop ${op.toString(16)}`, [...a67, op, 3, 0x48, 0xff, 0xc0], st);
  });
  add('call/ret', (r) => {
    const st = baseState(r);
    const k = r.int(4);
    if (k === 0) return mk('call+pop', [0xe8, 0, 0, 0, 0, 0x58 + r.int(8)], st);
    if (k === 1) return mk('lea+push+ret', [0x48, 0x8d, 0x05, 2, 0, 0, 0, 0x50, 0xc3], st);
    if (k === 2) return mk('ret imm', [0x48, 0x8d, 0x05, 2, 0, 0, 0, 0x50, 0xc2, 8, 0], st);
    // Indirect call through a register, then discard the return address.
    return mk('call reg', [0x48, 0x8d, 0x05, 2, 0, 0, 0, 0xff, 0xd0, 0x59], st);
  });
  add('jmp', (r) => {
    const st = baseState(r);
    return mk('jmp', r.bool() ? [0xeb, 3, 0x48, 0xff, 0xc0] : [0xe9, 3, 0, 0, 0, 0x48, 0xff, 0xc0], st);
  });

  // String instructions.
  add('string', (r) => {
    const st = baseState(r);
    const op = r.pick([0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf]);
    const sz = (op & 1) === 0 ? 1 : r.pick(WSIZES);
    const rep = r.pick([[], [0xf3], [0xf2]]);
    const down = r.bool(0.3);
    st.regs[6] = BigInt(DATA_BASE + 1024 + r.int(2048));
    st.regs[7] = r.bool(0.2) ? st.regs[6]! : BigInt(DATA_BASE + 1024 + r.int(2048));
    st.regs[1] = BigInt(r.int(40));
    if (r.bool(0.2) && (op === 0xae || op === 0xaf)) st.regs[0] = 0n;
    const pfx = sz === 2 ? [0x66] : [];
    const rex = sz === 8 ? [0x48] : [];
    return mk(`${rep.length ? 'rep ' : ''}str ${op.toString(16)} ${sz * 8}${down ? ' std' : ''}`,
      [...(down ? [0xfd] : []), ...rep, ...pfx, ...rex, op, 0xfc], st);
  });

  // Long REP STOS / REP MOVS over the data page (the page-at-a-time path of
  // exec/string-bulk.ts): unaligned starts, runs to the page's last bytes,
  // overlapping copies either way. (The harness maps one data page.)
  add('string bulk', (r) => {
    const st = baseState(r);
    const op = r.pick([0xa4, 0xa5, 0xaa, 0xab]);
    const sz = (op & 1) === 0 ? 1 : r.pick(WSIZES);
    const down = r.bool(0.2);
    const span = 4096;
    const count = 1 + r.int(Math.floor(span / 2 / sz));
    // Room below the start for the elements after the first (std), or above it for all of them,
    // and the first element inside the page either way: the native harness maps nothing around it.
    const lo = down ? (count - 1) * sz : 0, hi = down ? sz : count * sz;
    const start = () => DATA_BASE + lo + r.int(span - lo - hi);
    st.regs[6] = BigInt(start());
    st.regs[7] = r.bool(0.2) ? st.regs[6]! + BigInt(r.int(16) - 8) : BigInt(start());
    if (st.regs[7]! < BigInt(DATA_BASE + lo) || st.regs[7]! > BigInt(DATA_BASE + span - hi)) st.regs[7] = st.regs[6]!;
    st.regs[1] = BigInt(count);
    const pfx = sz === 2 ? [0x66] : [];
    const rex = sz === 8 ? [0x48] : [];
    return mk(`rep str bulk ${op.toString(16)} ${sz * 8}${down ? ' std' : ''}`,
      [...(down ? [0xfd] : []), 0xf3, ...pfx, ...rex, op, 0xfc], st);
  });

  // Atomics.
  add('xadd', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const e = encodeModrm(r, { op: [0x0f, sz === 1 ? 0xc0 : 0xc1], size: sz }, st.regs);
    return mk(`xadd${sz * 8}`, [...(e.mem && r.bool() ? [0xf0] : []), ...e.bytes], st);
  });
  add('cmpxchg', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const e = encodeModrm(r, { op: [0x0f, sz === 1 ? 0xb0 : 0xb1], size: sz }, st.regs);
    if (r.bool(0.5) && !e.mem) st.regs[0] = st.regs[e.rm]!;
    return mk(`cmpxchg${sz * 8}`, [...(e.mem && r.bool() ? [0xf0] : []), ...e.bytes], st);
  });
  add('cmpxchg8b/16b', (r) => {
    const st = baseState(r);
    const wide = r.bool();
    const e = encodeModrm(r, { op: [0x0f, 0xc7], size: wide ? 8 : 4, ext: 1, memOnly: true }, st.regs);
    return mk(`cmpxchg${wide ? 16 : 8}b`, e.bytes, st);
  });

  // Exceptions.
  add('undefined opcodes', (r) => {
    const st = baseState(r);
    const bytes = r.pick([[0x0f, 0x0b], [0x0f, 0xff], [0x0f, 0xb9, 0xc0], [0x06], [0x07], [0x27], [0x37], [0x60], [0xd4, 0x0a], [0xf0, 0x90], [0xf0, 0x01, 0xc0], [0x8f, 0xc8]]);
    return mk(`ud ${bytes.map((b) => b.toString(16)).join(' ')}`, bytes, st);
  });
  add('divide error', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const reg = 1 + r.int(7);
    if (reg === 2 || reg === 4) return mk('nop', [0x90], st);
    st.regs[reg] = 0n;
    return mk(`div0 ${sz * 8}`, [...sizePrefix(sz), sz === 1 ? 0xf6 : 0xf7, 0xf0 | reg], st, ALL);
  });
  add('int3', (r) => mk('int3', [0xcc], baseState(r)));

  // Multi-byte NOPs and hints.
  add('nops', (r) => {
    const st = baseState(r);
    const bytes = r.pick([[0x0f, 0x1f, 0x00], [0x0f, 0x1f, 0x44, 0x00, 0x00], [0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0], [0xf3, 0x0f, 0x1e, 0xfa], [0xf3, 0x90], [0x66, 0x90], [0x0f, 0x18, 0x08], [0x0f, 0xae, 0xf0], [0x0f, 0xae, 0xe8]]);
    return mk('nop', bytes, st);
  });
}

/**
 * Registered after every other generator (cases.ts), so that the others keep each seed's cases.
 * A byte compare, subtract, test or logic instruction (AL,imm8; r8,imm8; test r8,r8), then a
 * conditional branch: compiled blocks fuse the two (jit/inline.ts fusedCond on bytes). The operands
 * come from the byte's edges (0, 1, 7F, 80, FF) half the time and are equal half the time, so that
 * unsigned, signed and equal outcomes all occur; the registers are AL-BL and AH-BH (no REX).
 */
export function byteJccCases(add: Add): void {
  add('alu8+jcc', (r) => {
    const st = baseState(r);
    const cc = r.int(16);
    const edge = (): number => (r.bool(0.5) ? r.pick([0, 1, 0x7f, 0x80, 0xff]) : r.int(256));
    const a = edge();
    const b = r.bool(0.5) ? a : edge();
    // Byte register id (0-3: AL-BL, 4-7: AH-BH) set to v.
    const set8 = (id: number, v: number): void => {
      const k = id & 3, sh = id < 4 ? 0n : 8n;
      st.regs[k] = (st.regs[k]! & ~(0xffn << sh)) | (BigInt(v) << sh);
    };
    const op = r.pick([1, 4, 5, 6, 7, 8]); // or, and, sub, xor, cmp; 8: test
    let bytes: number[];
    if (op === 8) {
      const rm = r.int(8), reg = r.int(8);
      set8(rm, a);
      set8(reg, rm === reg ? a : b);
      bytes = [0x84, 0xc0 | (reg << 3) | rm];
    } else if (r.bool(0.5)) {
      set8(0, a);
      bytes = [op * 8 + 4, b];
    } else {
      const rm = r.int(8);
      set8(rm, a);
      bytes = [0x80, 0xc0 | (op << 3) | rm, b];
    }
    const br = r.bool(0.3) ? [0x0f, 0x80 + cc, 3, 0, 0, 0] : [0x70 + cc, 3];
    return mk(`alu8.${op}+j${cc}`, [...bytes, ...br, 0x48, 0xff, 0xc0 /* inc rax */], st, op === 5 || op === 7 ? 0 : AF);
  });
}
