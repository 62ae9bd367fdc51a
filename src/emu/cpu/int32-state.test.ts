// The CPU's int32 state layout (int32-state.ts): plain fields in Node, accessors
// over CpuState.st in the browser. `npm test` runs this file in both layouts (the
// second time, with the oracle and lockstep suites, under PACIFICA_INT32_STATE=array).
import { describe, expect, test } from 'vitest';
import { Cpu } from './cpu';
import { PhysMem } from '../mem/phys';
import { INT32_SLOTS, INT32_STATE_IN_ARRAY, type Int32Field } from './int32-state';

const names = Object.keys(INT32_SLOTS) as Int32Field[];

describe(`int32 state layout (${INT32_STATE_IN_ARRAY ? 'array' : 'fields'})`, () => {
  test('the layout is the one the environment asks for (Node: fields unless PACIFICA_INT32_STATE=array)', () => {
    expect(INT32_STATE_IN_ARRAY).toBe(process.env.PACIFICA_INT32_STATE === 'array');
  });

  test('every field starts at 0 and reads back what was written, as an int32', () => {
    const c = new Cpu(new PhysMem(1 << 20));
    names.forEach((n, k) => {
      expect(c[n]).toBe(0);
      c[n] = (0x9e3779b1 * (k + 1)) | 0;
    });
    names.forEach((n, k) => expect(c[n]).toBe((0x9e3779b1 * (k + 1)) | 0));
  });

  test('array: each accessor is its own slot of st, and no own field shadows it; fields: own fields, st unused', () => {
    const c = new Cpu(new PhysMem(1 << 20));
    names.forEach((n, k) => { c[n] = -0x40000000 - k; }); // outside V8's 31-bit small integers
    for (const n of names) {
      expect(Object.hasOwn(c, n)).toBe(!INT32_STATE_IN_ARRAY);
      expect(c.st[INT32_SLOTS[n]]).toBe(INT32_STATE_IN_ARRAY ? -0x40000000 - names.indexOf(n) : 0);
    }
    expect(new Set(Object.values(INT32_SLOTS)).size).toBe(names.length);
    expect(Math.max(...Object.values(INT32_SLOTS))).toBeLessThan(c.st.length);
  });
});
