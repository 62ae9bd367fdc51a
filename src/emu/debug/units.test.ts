// The debugger's parts on their own: symbols, the breakpoint table, call/ret
// recognition, address helpers, disassembly of given bytes.
import { describe, expect, it } from 'vitest';
import * as iced from 'iced-x86';
import { decodeBytes } from '../cpu/decode';
import { BreakpointTable, worldMatches } from './breakpoints';
import { SymbolTable } from './symbols';
import { isCall, isRet } from './stepping';
import { disassemble } from './disasm';
import { addrHalves, hexAddr, toAddr } from './world';
import { image } from './testutil';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const imagePath = (n: string) => fileURLToPath(new URL(`../../../public/images/${n}`, import.meta.url));

describe('symbols', () => {
  const t = new SymbolTable();
  t.load('skeletal', image('skeletal.elf'));
  t.load('guestcopy', image('skeletal.elf'), 'guest', 0x1000);
  const kmain = t.resolve('kmain')!.address;

  it('resolves names, image-qualified names, offsets and numbers', () => {
    // binutils' nm is the independent reader of the same symbol table.
    const nm = spawnSync('nm', [imagePath('skeletal.elf')], { encoding: 'utf8' }).stdout;
    expect(kmain).toBe(parseInt(/^([0-9a-f]+) T kmain$/m.exec(nm)![1]!, 16));
    expect(t.resolve('kmain+0x10')!.address).toBe(kmain + 16);
    expect(t.resolve('kmain - 2')!.address).toBe(kmain - 2);
    expect(t.resolve('guestcopy:kmain')).toEqual({ address: kmain + 0x1000, world: 'guest', image: 'guestcopy' });
    expect(t.resolve('kmain', 3)!.address).toBe(kmain + 0x1000); // world 3 only sees the guest images
    expect(t.resolve('0xffffffff80000000')!.address).toBe(-(2 ** 31));
    expect(t.resolve('nonexistent')).toBeUndefined();
    expect(t.resolve('skeletal:nonexistent')).toBeUndefined();
  });

  it('describes addresses as symbol+off, per world', () => {
    expect(t.describe(kmain, 0)).toBe('kmain');
    expect(t.describe(kmain + 0x1b, 0)).toBe('kmain+0x1b');
    expect(t.describe(kmain + 0x1000 + 4, 2)).toBe('kmain+0x4');
    expect(t.describe(kmain + 4, 2)).not.toBe('kmain+0x4');
    expect(t.describe(0x10, 0)).toBeUndefined();
    t.unload('guestcopy');
    expect(t.describe(kmain + 0x1000 + 4, 2)).toBeUndefined();
  });
});

describe('breakpoint table', () => {
  it('indexes enabled breakpoints, counts them per kind, and removes them', () => {
    const t = new BreakpointTable();
    const a = t.add({ kind: 'address', at: 0x1000 }, { address: 0x1000, world: 0 });
    const b = t.add({ kind: 'address', at: 0x1000 }, { address: 0x1000, world: 'guest' });
    const e = t.add({ kind: 'vmexit', exitCode: 0x78, asid: 2 });
    const w = t.add({ kind: 'write', pa: 0x1ff0, length: 0x20 });
    expect([a.id, b.id, e.id, w.id]).toEqual([1, 2, 3, 4]);
    expect(t.byAddress.get(0x1000)).toEqual([a, b]);
    expect(t.enabledCount.address).toBe(2);
    t.setEnabled(a.id, false);
    t.setEnabled(a.id, false);
    expect(t.enabledCount.address).toBe(1);
    expect(t.byAddress.get(0x1000)).toEqual([b]);
    t.remove(b.id);
    expect(t.byAddress.has(0x1000)).toBe(false);
    expect(t.enabledCount.address).toBe(0);
    expect(t.list().map((x) => x.id)).toEqual([1, 3, 4]);
    expect(t.matchExit(0x78, 2)).toEqual([e]);
    expect(t.matchExit(0x78, 1)).toEqual([]);
    expect(t.matchExit(0x79, 2)).toEqual([]);
    expect(t.matchWrite(0x1fe0, 16)).toEqual([]);
    expect(t.matchWrite(0x1fe8, 16)).toEqual([w]);
    expect(t.matchWrite(0x2010, 1)).toEqual([]);
    expect([...t.watchedPages()]).toEqual([1, 2]);
    expect(e.label).toBe('vmexit HLT asid 2');
    expect(worldMatches('guest', 0)).toBe(false);
    expect(worldMatches('guest', 5)).toBe(true);
    expect(worldMatches('any', 0)).toBe(true);
    expect(worldMatches(3, 4)).toBe(false);
  });

  it('matches I/O breakpoints by port range and direction', () => {
    const t = new BreakpointTable();
    const out = t.add({ kind: 'io', port: 0x3f8, last: 0x3ff, access: 'out' });
    const any = t.add({ kind: 'io', port: 0x60 });
    expect(t.matchIo(0x3fd, true)).toEqual([out]);
    expect(t.matchIo(0x3fd, false)).toEqual([]);
    expect(t.matchIo(0x400, true)).toEqual([]);
    expect(t.matchIo(0x60, false)).toEqual([any]);
    expect(t.matchIo(0x61, false)).toEqual([]);
  });
});

describe('call and ret recognition', () => {
  const d = (...b: number[]) => decodeBytes(new Uint8Array([...b, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 64);
  it('knows calls and rets, with prefixes', () => {
    expect(isCall(d(0xe8, 1, 2, 3, 4))).toBe(true);
    expect(isCall(d(0xff, 0xd0))).toBe(true); // call rax
    expect(isCall(d(0x41, 0xff, 0xd3))).toBe(true); // call r11
    expect(isCall(d(0xff, 0x15, 0, 0, 0, 0))).toBe(true); // call [rip]
    expect(isCall(d(0xff, 0xe0))).toBe(false); // jmp rax
    expect(isCall(d(0xe9, 0, 0, 0, 0))).toBe(false);
    expect(isRet(d(0xc3))).toBe(true);
    expect(isRet(d(0xc2, 8, 0))).toBe(true);
    expect(isRet(d(0x48, 0xcf))).toBe(true); // iretq
    expect(isRet(d(0x90))).toBe(false);
  });
});

describe('addresses and disassembly', () => {
  it('keeps canonical addresses exact as numbers', () => {
    expect(toAddr(0xffff800000000000n)).toBe(-(2 ** 47));
    expect(hexAddr(-(2 ** 47))).toBe('0xffff800000000000');
    expect(hexAddr(0x101220)).toBe('0x101220');
    expect(addrHalves(-(2 ** 47))).toEqual([0, 0xffff8000 | 0]);
    expect(addrHalves(0x123456789)).toEqual([0x23456789, 1]);
  });

  it('disassembles bytes with symbols on branch targets', () => {
    const bytes = new Uint8Array([0xe8, 0x0b, 0, 0, 0, 0x0f, 0x01, 0xd8, 0xc3, 0xff, 0xff]);
    const names = (a: number) => (a === 0x1010 ? 'target' : a === 0x1000 ? 'start' : undefined);
    const l = disassemble(iced, bytes, 0x1000, 64, 10, names);
    expect(l.map((x) => x.text)).toEqual(['call    0x1010 <target>', 'vmrun   rax', 'ret', '(bad)']);
    expect(l[0]!.symbol).toBe('start');
    expect(l[1]).toMatchObject({ address: 0x1005, addr: '0x1005', bytes: '0f 01 d8', length: 3, invalid: false });
    expect(l[3]!.invalid).toBe(true);
  });
});
