// Native oracle generators: data movement, the stack, flag instructions.
// Registered in this order by cases.ts (the order decides each seed's cases).
import { val64, imm, baseState, encodeModrm, SIZES, WSIZES, mk, sizePrefix, immBytes, type Size, type Add } from './cases-kit';
import { CF, PF, AF, ZF, SF, OF } from '../flags';
import { DATA_BASE } from './native';

export function dataCases(add: Add): void {
  // Data movement.
  add('mov E,G / G,E', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const dir = r.int(2);
    const e = encodeModrm(r, { op: [0x88 + dir * 2 + (sz === 1 ? 0 : 1)], size: sz }, st.regs);
    return mk(`mov${sz * 8}`, e.bytes, st);
  });
  add('mov E,imm', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const e = encodeModrm(r, { op: [sz === 1 ? 0xc6 : 0xc7], size: sz, ext: 0 }, st.regs);
    return mk(`mov${sz * 8} E,imm`, [...e.bytes, ...imm(r, immBytes(sz))], st);
  });
  // The byte memory forms the block compiler inlines (mov M,r8 with AH-BH too, mov M,imm8, cmp M,imm8),
  // on their own so each oracle run has hundreds of them, not the few the general forms give.
  add('byte M forms', (r) => {
    const st = baseState(r);
    const k = r.int(3);
    // reg 4-7: AH-BH without a REX prefix, SPL-DIL with one (a base register r8-r15 brings it)
    if (k === 0) return mk('mov8 M,G', encodeModrm(r, { op: [0x88], size: 1, memOnly: true, ext: r.bool() ? 4 + r.int(4) : undefined }, st.regs).bytes, st);
    if (k === 1) return mk('mov8 M,imm', [...encodeModrm(r, { op: [0xc6], size: 1, ext: 0, memOnly: true }, st.regs).bytes, ...imm(r, 1)], st);
    return mk('cmp8 M,imm', [...encodeModrm(r, { op: [0x80], size: 1, ext: 7, memOnly: true }, st.regs).bytes, ...imm(r, 1)], st);
  });
  add('mov Z,imm', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const reg = r.int(16);
    const pfx = sizePrefix(sz, reg & 8 ? 1 : 0);
    if (sz === 1 && !pfx.length && r.bool(0.3)) pfx.push(0x40);
    return mk(`mov${sz * 8} Z,imm`, [...pfx, (sz === 1 ? 0xb0 : 0xb8) + (reg & 7), ...imm(r, sz)], st);
  });
  add('mov moffs', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const store = r.bool();
    const addr = DATA_BASE + r.int(4000);
    const a: number[] = [];
    for (let k = 0; k < 8; k++) a.push(k < 4 ? (addr >>> (8 * k)) & 0xff : 0);
    return mk(`mov${sz * 8} moffs`, [...sizePrefix(sz), (store ? 0xa2 : 0xa0) + (sz === 1 ? 0 : 1), ...a], st);
  });
  for (const [n, op, sz] of [['movzx8', 0xb6, 1], ['movzx16', 0xb7, 2], ['movsx8', 0xbe, 1], ['movsx16', 0xbf, 2]] as const) {
    add(n, (r) => {
      const st = baseState(r);
      const dsz = r.pick(WSIZES);
      const e = encodeModrm(r, { op: [0x0f, op], size: dsz }, st.regs);
      // A byte source without REX addresses AH..BH; the generator may emit REX for r8+.
      void sz;
      return mk(`${n} to ${dsz * 8}`, e.bytes, st);
    });
  }
  add('movsxd', (r) => {
    const st = baseState(r);
    const e = encodeModrm(r, { op: [0x63], size: r.pick([4, 8] as Size[]) }, st.regs);
    return mk('movsxd', e.bytes, st);
  });
  add('lea', (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    const e = encodeModrm(r, { op: [0x8d], size: sz, memOnly: true }, st.regs);
    // lea does not touch memory: random base values exercise 64-bit address arithmetic.
    if (r.bool(0.5)) st.regs[e.rm] = val64(r);
    const bytes = r.bool(0.2) ? [0x67, ...e.bytes] : e.bytes;
    return mk(`lea${sz * 8}`, bytes, st);
  });
  add('xchg', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    if (sz !== 1 && r.bool(0.3)) {
      const reg = r.int(16);
      return mk(`xchg${sz * 8} Z,rAX`, [...sizePrefix(sz, reg & 8 ? 1 : 0), 0x90 + (reg & 7)], st);
    }
    const e = encodeModrm(r, { op: [sz === 1 ? 0x86 : 0x87], size: sz }, st.regs);
    return mk(`xchg${sz * 8}`, e.bytes, st);
  });
  add('bswap', (r) => {
    const st = baseState(r);
    const sz = r.pick([4, 8] as Size[]);
    const reg = r.int(16);
    return mk(`bswap${sz * 8}`, [...sizePrefix(sz, reg & 8 ? 1 : 0), 0x0f, 0xc8 + (reg & 7)], st);
  });
  add('cbw/cwd', (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    return mk(`cbw/cwd${sz * 8}`, [...sizePrefix(sz), r.bool() ? 0x98 : 0x99], st);
  });
  add('xlat', (r) => {
    const st = baseState(r);
    st.regs[3] = BigInt(DATA_BASE + r.int(3800));
    return mk('xlat', [0x48, 0xd7], st);
  });
  add('setcc', (r) => {
    const st = baseState(r);
    const e = encodeModrm(r, { op: [0x0f, 0x90 + r.int(16)], size: 1, ext: r.int(8) }, st.regs);
    return mk('setcc', e.bytes, st);
  });
  add('cmovcc', (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    const e = encodeModrm(r, { op: [0x0f, 0x40 + r.int(16)], size: sz }, st.regs);
    return mk(`cmov${sz * 8}`, e.bytes, st);
  });

  // Stack.
  add('push/pop reg', (r) => {
    const st = baseState(r);
    const reg = r.int(16);
    const sz = r.bool(0.8) ? 8 : 2;
    const pfx = [...(sz === 2 ? [0x66] : []), ...(reg & 8 ? [0x41] : [])];
    const a = r.int(16);
    const pfx2 = [...(sz === 2 ? [0x66] : []), ...(a & 8 ? [0x41] : [])];
    return mk(`push/pop${sz * 8}`, [...pfx, 0x50 + (reg & 7), ...pfx2, 0x58 + (a & 7)], st);
  });
  add('push imm / push E / pop E', (r) => {
    const st = baseState(r);
    const k = r.int(3);
    if (k === 0) return mk('push imm', r.bool() ? [0x6a, r.int(256)] : [0x68, ...imm(r, 4)], st);
    if (k === 1) {
      const e = encodeModrm(r, { op: [0xff], size: 4, ext: 6 }, st.regs);
      return mk('push E', e.bytes, st);
    }
    const e = encodeModrm(r, { op: [0x8f], size: 4, ext: 0 }, st.regs);
    return mk('pop E', e.bytes, st);
  });
  add('pushf/popf', (r) => {
    const st = baseState(r);
    // Push a controlled flags image and pop it: arithmetic flags and DF only.
    const f = (r.u32() & (CF | PF | AF | ZF | SF | OF | 0x400)) | 2;
    return mk('pushf/popf', [0x68, f & 0xff, (f >> 8) & 0xff, 0, 0, 0x9d, 0x9c, 0x58 + r.int(4), 0xfc], st);
  });
  add('enter/leave', (r) => {
    const st = baseState(r);
    st.regs[5] = BigInt(0x310900 + r.int(64) * 8);
    const size = r.int(64) * 4;
    const level = r.pick([0, 0, 1, 2, 3]);
    return mk(`enter ${size},${level}`, [0xc8, size & 0xff, size >> 8, level, ...(r.bool() ? [0xc9] : [])], st);
  });

  // Flags.
  add('flag ops', (r) => {
    const st = baseState(r);
    const ops = [0xf5, 0xf8, 0xf9, 0xfc, 0xfd, 0x9e, 0x9f];
    const n = 1 + r.int(3);
    const bytes: number[] = [];
    for (let k = 0; k < n; k++) bytes.push(r.pick(ops));
    bytes.push(0xfc); // leave DF clear
    return mk('flag ops', bytes, st);
  });
  add('alu then lahf', (r) => {
    // Materialize lazily computed flags of every ALU op through lahf/pushf.
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const op = r.int(8);
    // RSP must stay valid for the pushf.
    const e = encodeModrm(r, { op: [op * 8 + (sz === 1 ? 0 : 1)], size: sz, regOnly: true }, st.regs, { avoid: [4] });
    const logic = op === 1 || op === 4 || op === 6;
    return mk(`alu${op} then pushf`, [...e.bytes, 0x9c, 0x41, 0x58 + r.int(8)], st, logic ? AF : 0, 0);
  });
}
