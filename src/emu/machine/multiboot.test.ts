// The multiboot loader (multiboot.ts): the entry state, kernels built by as/ld loaded
// and checked against readelf and nm, and the MBI decoder.
import { afterAll, describe, expect, it } from 'vitest';
import { PhysMem } from '../mem/phys';
import { MULTIBOOT_ENTRY_STATE, MultibootError, decodeMbi, findMultibootHeader, loadMultiboot } from './multiboot';
import { cleanupFixtures, CMDLINE, FILL, MODULES, RAM, checkElfLoad, checkMbi, expectBytes, expectZero, freshMem, fx, hash, haveToolchain, nm, readelfFacts } from './multiboot-fixtures';

afterAll(cleanupFixtures);

describe('MULTIBOOT_ENTRY_STATE', () => {
  it('documents the GRUB entry state', () => {
    const s = MULTIBOOT_ENTRY_STATE;
    expect(s.eax).toBe(0x2badb002);
    expect(s.cs).toMatchObject({ base: 0, limit: 0xffffffff, db: 1, l: 0, p: 1 });
    expect(s.cs.type & 0x8).toBe(0x8); // code
    expect(s.cs.type & 0x2).toBe(0x2); // readable
    expect(s.data).toMatchObject({ base: 0, limit: 0xffffffff, db: 1, p: 1 });
    expect(s.data.type & 0xa).toBe(0x2); // data, writable
    expect(s.cr0 & 1).toBe(1);
    expect(s.cr0 >>> 31).toBe(0);
    expect(s.eflags & (1 << 17)).toBe(0);
    expect(s.eflags & (1 << 9)).toBe(0);
    expect(s.a20).toBe(true);
    expect(s.esp).toBe(0x7000);
  });
});

describe.skipIf(!haveToolchain)('loadMultiboot with kernels built by as/ld', () => {
  it('ELF32 i386 kernel (linker script at 1 MiB), modules and a command line', () => {
    const f = fx('k32.elf');
    const mem = freshMem();
    const opts = { cmdline: CMDLINE, modules: MODULES };
    const boot = loadMultiboot(mem, f.bytes, opts);
    const syms = nm(f.path);
    expect(boot.format).toBe('elf32');
    expect(boot.entry).toBe(syms.get('_start'));
    expect(boot.kernelStart).toBe(0x100000);
    expect(boot.kernelEnd).toBe(syms.get('_end'));
    expect(boot.header).toMatchObject({ offset: 0x1000, magic: 0x1badb002, flags: 3 });
    expect(boot.header.address).toBeUndefined();
    checkElfLoad(mem, f, boot);
    // The data and stack are where nm says.
    expect(Buffer.from(mem.u8.subarray(syms.get('data_pattern')!, syms.get('data_pattern')! + 29)).toString()).toBe('Pacifica data segment pattern');
    expect(Buffer.from(mem.u8.subarray(syms.get('ro_pattern')!, syms.get('ro_pattern')! + 17)).toString()).toBe('read-only pattern');
    expectZero(mem, syms.get('stack_top')! - 0x5000, syms.get('stack_top')!, 'bss');
    checkMbi(mem, boot, opts, syms.get('_end')!);
    // Symbols for the debugger.
    expect(boot.elf?.lookup('_start')?.value).toBe(BigInt(syms.get('_start')!));
  });

  it('ELF32 higher-half kernel: loaded at p_paddr, entry translated from virtual to physical', () => {
    const f = fx('khh.elf');
    const mem = freshMem();
    const boot = loadMultiboot(mem, f.bytes, { cmdline: 'hh' });
    const syms = nm(f.path);
    expect(syms.get('_start')).toBeGreaterThanOrEqual(0xc0100000);
    expect(boot.entry).toBe(syms.get('_start')! - 0xc0000000);
    expect(boot.kernelStart).toBe(0x100000);
    expect(boot.kernelEnd).toBe(syms.get('_end')! - 0xc0000000);
    checkElfLoad(mem, f, boot);
    checkMbi(mem, boot, { cmdline: 'hh' }, boot.kernelEnd);
  });

  it('ELF64 x86-64 kernel, video mode flag accepted and ignored, no modules', () => {
    const f = fx('k64.elf');
    const mem = freshMem(32 * 1024 * 1024);
    const boot = loadMultiboot(mem, f.bytes, { bootLoaderName: 'GRUB 2.12' });
    const syms = nm(f.path);
    expect(boot.format).toBe('elf64');
    expect(boot.entry).toBe(syms.get('_start'));
    expect(boot.header.flags).toBe(7);
    expect(boot.header.video).toEqual({ modeType: 1, width: 80, height: 25, depth: 0 });
    expect(boot.kernelEnd).toBe(syms.get('_end'));
    checkElfLoad(mem, f, boot);
    checkMbi(mem, boot, { bootLoaderName: 'GRUB 2.12' }, syms.get('_end')!);
    expect(boot.mbi.flags & (1 << 11 | 1 << 12)).toBe(0); // no VBE / framebuffer info
    expect(boot.mbi.mods).toEqual({ count: 0, addr: 0, list: [] });
  });

  for (const name of ['aout.elf', 'aout.bin']) {
    it(`address fields (${name}): load_addr/load_end_addr/bss_end_addr/entry_addr per spec 3.1.3`, () => {
      const f = fx(name);
      const syms = nm(fx('aout.elf').path);
      const mem = freshMem();
      const opts = { cmdline: CMDLINE, modules: MODULES.slice(0, 2) };
      const boot = loadMultiboot(mem, f.bytes, opts);
      const headerAddr = syms.get('mb_header')!;
      const loadAddr = syms.get('_load_start')!;
      const loadEnd = syms.get('_edata')!;
      const bssEnd = syms.get('_end')!;
      expect(boot.format).toBe('address-fields');
      expect(boot.header.address).toEqual({ headerAddr, loadAddr, loadEndAddr: loadEnd, bssEndAddr: bssEnd, entryAddr: syms.get('_start') });
      // The header's file offset: search the file for the magic (flat: 0x40; ELF: 0x40 into .text).
      const hdrOff = Buffer.from(f.bytes).indexOf(Buffer.from([0x02, 0xb0, 0xad, 0x1b]));
      expect(boot.header.offset).toBe(hdrOff);
      const loadOff = hdrOff - (headerAddr - loadAddr);
      expect(loadOff).toBe(name === 'aout.bin' ? 0 : 0x1000);
      expectBytes(mem, loadAddr, f.bytes.subarray(loadOff, loadOff + (loadEnd - loadAddr)), 'loaded image');
      expectZero(mem, loadEnd, bssEnd, 'bss');
      expect(mem.u8[bssEnd]).toBe(FILL);
      expect(mem.u8[loadAddr - 1]).toBe(FILL);
      expect(Buffer.from(mem.u8.subarray(syms.get('data_pattern')!, syms.get('data_pattern')! + 19)).toString()).toBe('address-fields data');
      expect(boot.entry).toBe(syms.get('_start'));
      expect(boot.kernelStart).toBe(loadAddr);
      expect(boot.kernelEnd).toBe(bssEnd);
      checkMbi(mem, boot, opts, bssEnd);
      if (name === 'aout.elf') expect(boot.elf?.lookup('mb_header')).toBeDefined();
      else expect(boot.elf).toBeUndefined();
    });
  }

  it('findMultibootHeader agrees with the assembled headers', () => {
    expect(findMultibootHeader(fx('k32.elf').bytes)).toEqual({ offset: 0x1000, magic: 0x1badb002, flags: 3, checksum: (-(0x1badb002 + 3)) >>> 0 });
    expect(findMultibootHeader(fx('aout.bin').bytes).offset).toBe(0x40);
  });

  it('refuses an ld -Ttext 0x100000 image whose ELF-header segment lands at 0xff000', () => {
    const f = fx('kttext.elf');
    const loads = readelfFacts(f.path).loads;
    expect(loads.some((l) => l.paddr < 0x100000)).toBe(true);
    const mem = freshMem();
    const before = hash(mem);
    expect(() => loadMultiboot(mem, f.bytes, {})).toThrow(/segment 0 .*\[0xff000, 0xff0.*\) starts below 1 MiB.*holds the ELF headers/);
    expect(hash(mem)).toBe(before);
  });
});

describe('decodeMbi', () => {
  it('rejects structures pointing outside RAM or unterminated strings', () => {
    const mem = new PhysMem(0x20000);
    expect(() => decodeMbi(mem, 0x1ffff)).toThrow(MultibootError);
    mem.dv.setUint32(0x1000, 0x4, true); // cmdline
    mem.dv.setUint32(0x1010, 0x30000, true);
    expect(() => decodeMbi(mem, 0x1000)).toThrow(/cmdline at 0x30000/);
    mem.dv.setUint32(0x1010, 0x2000, true);
    mem.u8.fill(0x41, 0x2000);
    expect(() => decodeMbi(mem, 0x1000)).toThrow(/not NUL-terminated/);
    mem.u8[0x2003] = 0;
    expect(decodeMbi(mem, 0x1000)).toEqual({ addr: 0x1000, flags: 4, cmdline: 'AAA', cmdlineAddr: 0x2000 });
    mem.dv.setUint32(0x1000, 0x40, true); // mmap with a bad entry size
    mem.dv.setUint32(0x1000 + 44, 24, true);
    mem.dv.setUint32(0x1000 + 48, 0x3000, true);
    mem.dv.setUint32(0x3000, 4, true);
    expect(() => decodeMbi(mem, 0x1000)).toThrow(/bad size 4/);
  });
});
