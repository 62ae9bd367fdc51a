// The multiboot loader refuses malformed images with a clear MultibootError and
// leaves RAM unchanged; 2,000 mutations of valid kernels hold to that.
import { afterAll, describe, expect, it } from 'vitest';
import { PhysMem } from '../mem/phys';
import { MultibootError, decodeMbi, loadMultiboot, type MultibootBoot } from './multiboot';
import { cleanupFixtures, A, FILL, RAM, aoutImage, expectBytes, expectRefused, expectZero, freshMem, fx, hash, haveToolchain, patch, rdStr, readelfFacts } from './multiboot-fixtures';

afterAll(cleanupFixtures);

describe('loadMultiboot refuses malformed images and leaves RAM unchanged', () => {
  it('address-fields image built by hand loads (baseline for the cases below)', () => {
    const mem = freshMem();
    const img = aoutImage({ ...A, bssEndAddr: 0x101000 });
    const boot = loadMultiboot(mem, img, {});
    expect(boot.entry).toBe(0x100020);
    expectBytes(mem, 0x100000, img, 'image');
    expectZero(mem, 0x100100, 0x101000, 'bss');
  });

  it('no header', () => {
    expectRefused(new Uint8Array(0), /too short/);
    expectRefused(new Uint8Array(11), /too short/);
    expectRefused(new Uint8Array(9000), /no multiboot header found/);
    // Magic beyond the first 8192 bytes, or misaligned.
    expectRefused(aoutImage(A, 0x3000, 8192), /no multiboot header found/);
    expectRefused(new Uint8Array([0, 0x02, 0xb0, 0xad, 0x1b, 3, 0, 0, 0, 0xfb, 0x4f, 0x52, 0xe4, 0, 0, 0]), /no multiboot header found/);
  });

  it('bad checksum', () => {
    expectRefused(patch(aoutImage(A), [[8, 0x12345678, 4]]), /bad header checksum at file offset 0x0/);
  });

  it('unsupported required flags (bits 3-15)', () => {
    expectRefused(aoutImage(A, 0x100, 0, 0x10003 | 1 << 3), /unsupported required feature flags 0x8/);
    expectRefused(aoutImage(A, 0x100, 0, 0x10003 | 1 << 15), /unsupported required feature flags 0x8000/);
  });

  it('impossible address fields', () => {
    expectRefused(aoutImage(A).slice(0, 24), /address fields.*file ends before them/);
    expectRefused(aoutImage({ ...A, loadAddr: 0x100010 }), /load_addr 0x100010 is above header_addr/);
    expectRefused(aoutImage({ ...A, loadAddr: 0xfff00 }), /load would start before the file/);
    expectRefused(aoutImage({ ...A, headerAddr: 0x100040, loadEndAddr: 0x100010 }, 0x100, 0x40), /header_addr 0x100040 is outside the loaded range/);
    expectRefused(aoutImage({ ...A, loadEndAddr: 0xfffff }), /load_end_addr 0xfffff is below load_addr/);
    expectRefused(aoutImage({ ...A, loadEndAddr: 0x100200 }), /load_end_addr 0x100200 is beyond the end of the file/);
    expectRefused(aoutImage({ ...A, bssEndAddr: 0x100080 }), /bss_end_addr 0x100080 is below the end of the loaded data 0x100100/);
    expectRefused(aoutImage({ ...A, entryAddr: 0x100100 }), /entry_addr 0x100100 is outside the loaded image/);
    expectRefused(aoutImage({ ...A, entryAddr: 0xfffff }), /entry_addr 0xfffff is outside/);
    expectRefused(aoutImage({ ...A, headerAddr: 0x8000, loadAddr: 0x8000, entryAddr: 0x8020 }), /below 1 MiB/);
    expectRefused(aoutImage({ ...A, headerAddr: 0xfffffff0, loadAddr: 0xfffffff0, entryAddr: 0xfffffff4 }), /beyond 4 GiB|beyond the end of RAM/);
  });

  it('kernel too big for RAM', () => {
    expectRefused(aoutImage({ ...A, bssEndAddr: 0x1200000 }), /extends beyond the end of RAM \(0x1000000, 16 MiB\)/);
    expectRefused(aoutImage(A), /RAM .* is too small/, {}, 0x100000);
  });

  it('module does not fit, bad module and command-line inputs', () => {
    const img = aoutImage(A);
    expectRefused(img, /module 1 \("big"\, 16777216 bytes\) does not fit/, { modules: [{ bytes: new Uint8Array(8), cmdline: 'a' }, { bytes: new Uint8Array(RAM), cmdline: 'big' }] });
    // Exactly at the end: module fills the rest of RAM except for its string.
    const mem = freshMem(0x200000);
    const boot = loadMultiboot(mem, img, { modules: [{ bytes: new Uint8Array(0x100000 - 0x1000 - 4), cmdline: 'abc' }] });
    expect(boot.modules[0]).toEqual({ start: 0x101000, end: 0x1ffffc, cmdline: 'abc', cmdlineAddr: 0x1ffffc });
    expect(rdStr(mem, 0x1ffffc)).toBe('abc');
    expectRefused(img, /does not fit/, { modules: [{ bytes: new Uint8Array(0x100000 - 0x1000 - 4), cmdline: 'abcd' }] }, 0x200000);
    expectRefused(img, /module 0 command line contains a NUL/, { modules: [{ bytes: new Uint8Array(1), cmdline: 'a\0b' }] });
    expectRefused(img, /kernel command line contains a NUL/, { cmdline: 'x\0' });
    expectRefused(img, /does not fit in low memory/, { cmdline: 'x'.repeat(0x90000) });
    expectRefused(img, /module 0: bytes is not a Uint8Array/, { modules: [{ bytes: [1, 2] as unknown as Uint8Array, cmdline: '' }] });
  });

  it.skipIf(!haveToolchain)('ELF problems: truncated, non-x86, bad type, entry outside, ELF64 entry above 4 GiB, overlap', () => {
    const k32 = fx('k32.elf').bytes;
    const k64 = fx('k64.elf').bytes;
    expectRefused(k32.slice(0, 0x1010), /must be an ELF executable: ELF: .*out of file|truncated/);
    expectRefused(k32.slice(0, 0x1800), /must be an ELF executable/);
    expectRefused(patch(k32, [[18, 40, 2]]), /must be an ELF executable: ELF: unsupported machine 40/); // EM_ARM
    expectRefused(patch(k32, [[18, 62, 2]]), /ELF32 kernel has machine 62, expected 3/);
    expectRefused(patch(k32, [[16, 1, 2]]), /type 1, expected 2 \(ET_EXEC\) or 3/);
    expectRefused(patch(k32, [[24, 0x200000, 4]]), /entry point 0x200000 is not inside any loadable segment/);
    expectRefused(patch(k64, [[24, 0x1_0010_1030, 8]]), /ELF64 kernel entry point 0x100101030 is not below 4 GiB/);
    // Not an ELF at all, no address fields.
    const h = new Uint8Array(64);
    h.set(new Uint8Array(new Uint32Array([0x1badb002, 2, (-(0x1badb002 + 2)) >>> 0]).buffer), 16); // flags 2, no address fields
    expectRefused(h, /must be an ELF executable: ELF: bad magic/);
    // Second PT_LOAD (.rodata) moved onto the first, beyond RAM, into the VGA buffer.
    const facts = readelfFacts(fx('k32.elf').path);
    expect(facts.loads.length).toBe(3);
    const phoff = new DataView(k32.buffer, k32.byteOffset).getUint32(28, true);
    expectRefused(patch(k32, [[phoff + 32 + 12, 0x100008, 4]]), /ELF segments overlap/);
    expectRefused(patch(k32, [[phoff + 32 + 12, 0xfffff8, 4]]), /beyond the end of RAM/);
    expectRefused(patch(k32, [[phoff + 32 + 12, 0xb8000, 4]]), /below 1 MiB/);
  });

  it('random bytes (with and without a planted header)', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 0x1000000;
    for (let i = 0; i < 200; i++) {
      const buf = new Uint8Array(Math.floor(rnd() * 10000)).map(() => Math.floor(rnd() * 256));
      if (i % 2 === 1 && buf.length >= 64) {
        const off = Math.floor(rnd() * Math.min(buf.length - 48, 8180) / 4) * 4;
        const flags = [0, 2, 3, 7, 0x10003, 0x10000][i % 6]!;
        new DataView(buf.buffer).setUint32(off, 0x1badb002, true);
        new DataView(buf.buffer).setUint32(off + 4, flags, true);
        new DataView(buf.buffer).setUint32(off + 8, (-(0x1badb002 + flags)) >>> 0, true);
      }
      const mem = freshMem(0x200000);
      const before = hash(mem);
      try {
        loadMultiboot(mem, buf, { modules: [{ bytes: new Uint8Array(3), cmdline: 'm' }] });
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(MultibootError);
        expect(hash(mem)).toBe(before);
      }
    }
  });
});

describe.skipIf(!haveToolchain)('fuzzing valid kernels', () => {
  it('2,000 mutations: only MultibootError, RAM unchanged on failure, consistent on success', () => {
    const bases = [fx('k32.elf').bytes, fx('k64.elf').bytes, fx('aout.bin').bytes, fx('aout.elf').bytes, fx('khh.elf').bytes];
    let seed = 0xc0ffee;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 0x100000000);
    const ri = (n: number) => Math.floor(rnd() * n);
    const size = 4 * 1024 * 1024;
    const mem = new PhysMem(size);
    mem.u8.fill(FILL);
    const snapshot = Buffer.from(mem.u8);
    const ram = Buffer.from(mem.u8.buffer, 0, size);
    let calls = 0;
    mem.onCodeWrite = () => { calls++; };
    mem.codePage.fill(1);
    let ok = 0;
    let failed = 0;
    const messages = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const base = bases[i % bases.length]!;
      let k = base.slice();
      const n = 1 + ri(8);
      for (let j = 0; j < n; j++) {
        // Mostly the headers (ELF header, program headers, multiboot header), sometimes anywhere.
        const off = rnd() < 0.8 ? ri(Math.min(k.length, 0x1080)) : ri(k.length);
        const r = rnd();
        if (r < 0.5) k[off] = ri(256);
        else if (r < 0.7) k[off] ^= 1 << ri(8);
        else if (r < 0.85) k[off] = [0, 0xff, 0x7f, 0x80][ri(4)]!;
        else k[off & ~3] = k[(off & ~3) + 1] = k[(off & ~3) + 2] = k[(off & ~3) + 3] = 0xff;
      }
      if (rnd() < 0.1) k = k.slice(0, ri(k.length + 1));
      const mods = rnd() < 0.5 ? [{ bytes: new Uint8Array(ri(20000)), cmdline: `mod ${i}` }] : [];
      calls = 0;
      let boot: MultibootBoot | undefined;
      try {
        boot = loadMultiboot(mem, k, { cmdline: `fuzz ${i}`, modules: mods });
      } catch (e) {
        if (!(e instanceof MultibootError)) throw new Error(`mutation ${i}: non-MultibootError thrown: ${String(e)}`);
        messages.add(e.message.replace(/0x[0-9a-f]+|\d+/g, 'N'));
        failed++;
        if (calls !== 0 || !ram.equals(snapshot)) throw new Error(`mutation ${i}: RAM changed by a failed load (${e.message})`);
        continue;
      }
      ok++;
      // A successful load is self-consistent.
      expect(boot.entry).toBeGreaterThanOrEqual(boot.kernelStart);
      expect(boot.entry).toBeLessThan(boot.kernelEnd);
      expect(boot.kernelStart).toBeGreaterThanOrEqual(0x100000);
      expect(boot.kernelEnd).toBeLessThanOrEqual(size);
      expect(decodeMbi(mem, boot.ebx)).toEqual(boot.mbi);
      for (const s of boot.segments) {
        expectBytes(mem, s.start, k.subarray(s.fileOffset, s.fileOffset + s.fileSize), `mutation ${i} segment`);
      }
      mem.u8.set(snapshot);
    }
    expect(ok).toBeGreaterThan(50);
    expect(failed).toBeGreaterThan(500);
    expect(messages.size).toBeGreaterThan(15);
  });
});
