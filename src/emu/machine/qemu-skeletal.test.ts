// The skeletal guest (public/images/skeletal.elf, built from guests/skeletal) boots on
// QEMU: multiboot with the address fields, long mode, IDT/PIC/PIT, timer ticks on COM1,
// and exits through isa-debug-exit. QEMU is a required oracle, not an optional one.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QEMU_MISSING_MESSAGE, qemuVersion, runQemu } from './qemu';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const kernel = join(root, 'public/images/skeletal.elf');
const haveQemu = qemuVersion() !== undefined;

// debug-exit values written by the guest (guests/skeletal/skeletal.h); QEMU exits with (v << 1) | 1.
const EXIT_DONE = 0x00;
const EXIT_EXCEPTION_BASE = 0x10;

function requireQemu(): void {
  if (!haveQemu) throw new Error(QEMU_MISSING_MESSAGE);
  if (!existsSync(kernel)) throw new Error(`${kernel} is missing: run make -C guests`);
}

describe('skeletal.elf multiboot header', () => {
  it('has magic, flags and address fields that describe the ELF file exactly', () => {
    const bytes = readFileSync(kernel);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = -1;
    for (let i = 0; i + 12 <= Math.min(8192, bytes.length); i += 4) {
      if (dv.getUint32(i, true) === 0x1badb002) {
        off = i;
        break;
      }
    }
    expect(off, 'multiboot header in the first 8 KiB').toBeGreaterThanOrEqual(0);
    const [magic, flags, checksum, headerAddr, loadAddr, loadEnd, bssEnd, entryAddr] = Array.from(
      { length: 8 },
      (_, k) => dv.getUint32(off + 4 * k, true),
    ) as [number, number, number, number, number, number, number, number];
    expect((magic + flags + checksum) >>> 0).toBe(0);
    expect(flags).toBe(0x00010003); // page align | memory info | address fields
    expect(loadAddr).toBe(0x100000);

    // ELF64 little-endian x86-64, entry = entry_addr
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(bytes[4]).toBe(2);
    expect(dv.getUint16(18, true)).toBe(62);
    expect(Number(dv.getBigUint64(24, true))).toBe(entryAddr);

    // A flat load takes [load_addr, load_end_addr) from file offset off - (header_addr - load_addr)
    // and zeroes up to bss_end_addr: every PT_LOAD must agree with that.
    const fileBase = off - (headerAddr - loadAddr);
    const phoff = Number(dv.getBigUint64(32, true));
    const phentsize = dv.getUint16(54, true);
    const phnum = dv.getUint16(56, true);
    let loads = 0;
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * phentsize;
      if (dv.getUint32(p, true) !== 1) continue; // PT_LOAD
      loads++;
      const offset = Number(dv.getBigUint64(p + 8, true));
      const vaddr = Number(dv.getBigUint64(p + 16, true));
      const paddr = Number(dv.getBigUint64(p + 24, true));
      const filesz = Number(dv.getBigUint64(p + 32, true));
      const memsz = Number(dv.getBigUint64(p + 40, true));
      expect(paddr).toBe(vaddr);
      expect(vaddr).toBeGreaterThanOrEqual(loadAddr);
      if (filesz > 0) {
        expect(offset - (vaddr - loadAddr), `segment ${i} file offset`).toBe(fileBase);
        expect(vaddr + filesz, `segment ${i} file data within load_end_addr`).toBeLessThanOrEqual(loadEnd);
      }
      expect(vaddr + memsz, `segment ${i} within bss_end_addr`).toBeLessThanOrEqual(bssEnd);
    }
    expect(loads).toBeGreaterThan(0);
    expect(fileBase + (loadEnd - loadAddr)).toBeLessThanOrEqual(bytes.length);
  });
});

describe('skeletal.elf on QEMU (TCG)', () => {
  it('qemu-system-x86_64 is installed', () => {
    expect(haveQemu, QEMU_MISSING_MESSAGE).toBe(true);
  });

  it('boots, prints the banner, ticks 5 times at 100 Hz and exits through isa-debug-exit', async () => {
    requireQemu();
    const r = await runQemu({ kernel, cmdline: 'skeletal name=guest1 ticks=5', timeoutMs: 60_000 });
    const log = r.serialLines.join('\n');
    expect(r.timedOut, `QEMU timed out; serial:\n${log}\nstderr:\n${r.stderr}`).toBe(false);
    expect(r.exitCode, `exit status; serial:\n${log}\nstderr:\n${r.stderr}`).toBe((EXIT_DONE << 1) | 1);
    expect(r.debugExit).toBe(EXIT_DONE);

    const lines = r.serialLines;
    expect(lines[0]).toBe('guest1: skeletal 64-bit guest kernel, long mode, first 1 GiB identity-mapped');
    // QEMU passes "<kernel file> <-append>" as the multiboot command line.
    expect(lines).toContain("guest1: cmdline='skeletal.elf skeletal name=guest1 ticks=5'");
    expect(lines).toContainEqual(expect.stringMatching(/^guest1: mem_lower=\d+ KiB mem_upper=\d+ KiB$/));
    const mmap = lines.filter((l) => /^guest1: mmap\[\d+\] base=0x[0-9a-f]{16} len=0x[0-9a-f]{16} type=\d+ \(.+\)$/.test(l));
    expect(mmap.length).toBeGreaterThan(0);
    // 128 MiB of RAM: an available region at 1 MiB
    expect(mmap).toContainEqual(expect.stringMatching(/base=0x0000000000100000 len=0x0000000007[0-9a-f]{6} type=1 \(available\)$/));
    expect(lines).toContain('guest1: timer 100 Hz, ticks=5, fault=none');

    const ticks = lines.filter((l) => /^guest1: tick /.test(l));
    expect(ticks).toEqual([1, 2, 3, 4, 5].map((n) => `guest1: tick ${n}`));
    expect(lines[lines.length - 1]).toBe('guest1: done');
    expect(lines.filter((l) => l === 'guest1: done')).toHaveLength(1);
    // '\n' goes out as "\r\n"
    expect(r.serial.endsWith('guest1: tick 5\r\nguest1: done\r\n')).toBe(true);
  }, 90_000);

  const faults = [
    { fault: 'ud', vector: 6, name: '#UD invalid opcode', cr2: /^0x0$/ },
    { fault: 'de', vector: 0, name: '#DE divide error', cr2: /^0x0$/ },
    { fault: 'pf', vector: 14, name: '#PF page fault', cr2: /^0x40000000$/ },
    { fault: 'gp', vector: 13, name: '#GP general protection', cr2: /^0x0$/ },
    { fault: 'df', vector: 8, name: '#DF double fault', cr2: /^0x40000[0-9a-f]{3}$/ },
  ];
  it.each(faults)('fault=$fault reports $name and exits with 0x10 + its vector', async ({ fault, vector, name, cr2 }) => {
    requireQemu();
    const r = await runQemu({ kernel, cmdline: `skeletal name=guest1 ticks=5 fault=${fault}`, timeoutMs: 60_000 });
    const log = r.serialLines.join('\n');
    expect(r.timedOut, `QEMU timed out; serial:\n${log}`).toBe(false);
    expect(r.exitCode, `exit status; serial:\n${log}\nstderr:\n${r.stderr}`).toBe(((EXIT_EXCEPTION_BASE + vector) << 1) | 1);
    expect(r.debugExit).toBe(EXIT_EXCEPTION_BASE + vector);
    expect(r.serialLines).toContain(`guest1: raising fault=${fault}`);
    const last = r.serialLines[r.serialLines.length - 1]!;
    const m = /^EXCEPTION (\d+) \((.+)\) err=(0x[0-9a-f]+) rip=(0x[0-9a-f]+) cr2=(0x[0-9a-f]+)$/.exec(last);
    expect(m, `last serial line: ${last}`).not.toBeNull();
    expect(Number(m![1])).toBe(vector);
    expect(m![2]).toBe(name);
    expect(Number(m![4])).toBeGreaterThanOrEqual(0x100000);
    expect(m![5]).toMatch(cr2);
    if (fault === 'gp') expect(m![3]).toBe('0x1234'); // the bad selector
    expect(r.serialLines.some((l) => l.startsWith('guest1: tick'))).toBe(false);
  }, 90_000);
});
