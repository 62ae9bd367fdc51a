// Native oracle generators: ALU, test/not/neg/inc/dec, multiply and divide, shifts and rotates, double shifts, bit operations.
// Registered in this order by cases.ts (the order decides each seed's cases).
import { sizePrefix, val64, imm, baseState, encodeModrm, ALL, SIZES, WSIZES, mk, immBytes, type Add } from './cases-kit';
import { CF, PF, AF, ZF, SF, OF } from '../flags';

export function arithmeticCases(add: Add): void {
  // ALU block 00..3D and groups 80/81/83.
  const ALU_NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
  ALU_NAMES.forEach((n, op) => {
    const logic = op === 1 || op === 4 || op === 6;
    const undef = logic ? AF : 0;
    add(`${n} E,G / G,E`, (r) => {
      const st = baseState(r);
      const sz = r.pick(SIZES);
      const dir = r.int(2);
      const e = encodeModrm(r, { op: [op * 8 + dir * 2 + (sz === 1 ? 0 : 1)], size: sz }, st.regs);
      return mk(`${n}${sz * 8} ${dir ? 'G,E' : 'E,G'}`, e.bytes, st, undef);
    });
    add(`${n} acc,imm`, (r) => {
      const st = baseState(r);
      const sz = r.pick(SIZES);
      return mk(`${n}${sz * 8} acc,imm`, [...sizePrefix(sz), op * 8 + (sz === 1 ? 4 : 5), ...imm(r, immBytes(sz))], st, undef);
    });
    add(`${n} E,imm`, (r) => {
      const st = baseState(r);
      const sz = r.pick(SIZES);
      const opc = sz === 1 ? 0x80 : r.bool() ? 0x81 : 0x83;
      const e = encodeModrm(r, { op: [opc], size: sz, ext: op }, st.regs);
      return mk(`${n}${sz * 8} E,imm`, [...e.bytes, ...imm(r, opc === 0x81 ? immBytes(sz) : 1)], st, undef);
    });
    if (op !== 7) {
      add(`lock ${n} M,G`, (r) => {
        const st = baseState(r);
        const sz = r.pick(SIZES);
        const e = encodeModrm(r, { op: [op * 8 + (sz === 1 ? 0 : 1)], size: sz, memOnly: true }, st.regs);
        return mk(`lock ${n}${sz * 8}`, [0xf0, ...e.bytes], st, undef);
      });
    }
  });

  // test, not, neg, inc, dec.
  add('test', (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const k = r.int(3);
    if (k === 0) {
      const e = encodeModrm(r, { op: [sz === 1 ? 0x84 : 0x85], size: sz }, st.regs);
      return mk(`test${sz * 8} E,G`, e.bytes, st, AF);
    }
    if (k === 1) return mk(`test${sz * 8} acc,imm`, [...sizePrefix(sz), sz === 1 ? 0xa8 : 0xa9, ...imm(r, immBytes(sz))], st, AF);
    const e = encodeModrm(r, { op: [sz === 1 ? 0xf6 : 0xf7], size: sz, ext: 0 }, st.regs);
    return mk(`test${sz * 8} E,imm`, [...e.bytes, ...imm(r, immBytes(sz))], st, AF);
  });
  for (const [n, ext, grp] of [['not', 2, 0xf6], ['neg', 3, 0xf6], ['inc', 0, 0xfe], ['dec', 1, 0xfe]] as const) {
    add(n, (r) => {
      const st = baseState(r);
      const sz = r.pick(SIZES);
      const e = encodeModrm(r, { op: [sz === 1 ? grp : grp + 1], size: sz, ext }, st.regs);
      return mk(`${n}${sz * 8}`, e.bytes, st);
    });
  }

  // mul, imul, div, idiv.
  for (const [n, ext] of [['mul', 4], ['imul', 5], ['div', 6], ['idiv', 7]] as const) {
    add(n, (r) => {
      const st = baseState(r);
      const sz = r.pick(SIZES);
      const e = encodeModrm(r, { op: [sz === 1 ? 0xf6 : 0xf7], size: sz, ext }, st.regs);
      const isDiv = ext >= 6;
      if (isDiv && !e.mem && r.bool(0.7)) {
        // Mostly divisions that do not overflow: a small high half of the dividend.
        st.regs[2] = r.bool() ? 0n : r.bool() ? BigInt(r.int(4)) : 0xffffffffffffffffn;
        if (!e.mem && r.bool(0.8) && e.rm !== 0 && e.rm !== 2) st.regs[e.rm] = val64(r) | 0x1000000n;
      }
      const undef = isDiv ? ALL : SF | ZF | AF | PF;
      return mk(`${n}${sz * 8}`, e.bytes, st, undef);
    });
  }
  add('imul G,E', (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    const e = encodeModrm(r, { op: [0x0f, 0xaf], size: sz }, st.regs);
    return mk(`imul${sz * 8} G,E`, e.bytes, st, SF | ZF | AF | PF);
  });
  add('imul G,E,imm', (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    const wide = r.bool();
    const e = encodeModrm(r, { op: [wide ? 0x69 : 0x6b], size: sz }, st.regs);
    return mk(`imul${sz * 8} G,E,imm`, [...e.bytes, ...imm(r, wide ? immBytes(sz) : 1)], st, SF | ZF | AF | PF);
  });

  // Shifts and rotates.
  const SHIFT_NAMES = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
  const COUNTS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255];
  SHIFT_NAMES.forEach((n, ext) => {
    add(n, (r) => {
      const st = baseState(r);
      const sz = r.pick(SIZES);
      const kind = r.int(3); // imm, 1, CL
      const base = kind === 0 ? 0xc0 : kind === 1 ? 0xd0 : 0xd2;
      const e = encodeModrm(r, { op: [sz === 1 ? base : base + 1], size: sz, ext }, st.regs, { avoid: kind === 2 ? [1] : [] });
      let count = 1;
      const bytes = [...e.bytes];
      if (kind === 0) { count = r.bool(0.6) ? r.pick(COUNTS) : r.int(256); bytes.push(count); }
      if (kind === 2) {
        count = r.bool(0.6) ? r.pick(COUNTS) : r.int(256);
        st.regs[1] = (st.regs[1]! & ~0xffn) | BigInt(count);
        if (!e.mem && e.rm === 1) count = Number(st.regs[1]! & 0xffn);
        if (e.mem && (e.rm === 1)) count = Number(st.regs[1]! & 0xffn);
      }
      const masked = count & (sz === 8 ? 63 : 31);
      let undef = 0;
      if (masked !== 0) {
        const rotate = ext < 4;
        if (!rotate) undef |= AF;
        if (masked > 1) undef |= OF;
        if (!rotate && masked >= sz * 8 && sz < 4) undef |= CF | OF;
      }
      // CL might be the shifted register itself or hold part of the address: recompute nothing;
      // the case is still well defined because both sides see the same bytes and state.
      return mk(`${n}${sz * 8} count=${count}`, bytes, st, undef);
    });
  });

  // shld / shrd.
  for (const [n, op] of [['shld', 0xa4], ['shrd', 0xac]] as const) {
    add(n, (r) => {
      const st = baseState(r);
      const sz = r.pick(WSIZES);
      const byCl = r.bool();
      const e = encodeModrm(r, { op: [0x0f, byCl ? op + 1 : op], size: sz }, st.regs, { avoid: byCl ? [1] : [] });
      let count = r.bool(0.6) ? r.pick(COUNTS) : r.int(256);
      if (sz === 2) count = r.int(17) | (r.bool(0.2) ? 0x20 : 0); // counts above 16 are undefined for 16-bit
      const bytes = [...e.bytes];
      if (byCl) {
        st.regs[1] = (st.regs[1]! & ~0xffn) | BigInt(count);
        if (e.reg === 1 || (!e.mem && e.rm === 1)) return mk(`${n} cl-aliased`, [0x90], st); // avoid CL aliasing the operands
      } else bytes.push(count);
      const masked = count & (sz === 8 ? 63 : 31);
      let undef = 0;
      if (masked !== 0) {
        undef |= AF;
        if (masked > 1) undef |= OF;
      }
      return mk(`${n}${sz * 8} count=${count}`, bytes, st, undef);
    });
  }

  // Bit operations.
  add('bt* E,G', (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    const op = r.pick([0xa3, 0xab, 0xb3, 0xbb]);
    const e = encodeModrm(r, { op: [0x0f, op], size: sz }, st.regs);
    if (e.mem) {
      // Keep the addressed unit inside the data page: offsets within +-512 bits.
      const off = BigInt(r.int(1024) - 512);
      st.regs[e.reg] = BigInt.asUintN(64, off);
    }
    return mk(`bt${op.toString(16)}${sz * 8} E,G`, e.bytes, st, OF | SF | AF | PF);
  });
  add('bt* E,imm', (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    const e = encodeModrm(r, { op: [0x0f, 0xba], size: sz, ext: 4 + r.int(4) }, st.regs);
    return mk(`bt${sz * 8} E,imm`, [...e.bytes, r.int(256)], st, OF | SF | AF | PF);
  });
  for (const [n, pre, op, undef] of [
    ['bsf', [], 0xbc, CF | OF | SF | AF | PF],
    ['bsr', [], 0xbd, CF | OF | SF | AF | PF],
    ['tzcnt', [0xf3], 0xbc, OF | SF | AF | PF],
    ['lzcnt', [0xf3], 0xbd, OF | SF | AF | PF],
    ['popcnt', [0xf3], 0xb8, 0],
  ] as const) {
    add(n, (r) => {
      const st = baseState(r);
      const sz = r.pick(WSIZES);
      const e = encodeModrm(r, { op: [0x0f, op], size: sz, pre: [...pre] }, st.regs);
      if (!e.mem && r.bool(0.2)) st.regs[e.rm] = 0n;
      return mk(`${n}${sz * 8}`, e.bytes, st, undef);
    });
  }
}
