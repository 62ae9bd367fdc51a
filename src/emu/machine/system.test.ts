// System-level behaviour of the emulated CPU + PC devices, checked against the
// architecture manual: exception delivery and error codes in 32-bit protected
// mode, page faults, triple fault shutdown, and the STI interrupt shadow.
// Each case is a tiny bare-metal program assembled with GNU as at test time,
// loaded flat at 0x100000 and entered through setMultibootEntry.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine, type MachineStop } from './machine';

function have(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}
const haveToolchain = have('as') && have('ld');

const tmp = mkdtempSync(join(tmpdir(), 'pacifica-system-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let seq = 0;
/** Assemble 32-bit GNU as source into a flat binary linked at 0x100000. */
function assemble(src: string): Uint8Array {
  const base = join(tmp, `t${seq++}`);
  writeFileSync(`${base}.s`, src);
  const a = spawnSync('as', ['--32', '-o', `${base}.o`, `${base}.s`], { encoding: 'utf8' });
  if (a.status !== 0) throw new Error(`as failed: ${a.stderr}`);
  const l = spawnSync('ld', ['-m', 'elf_i386', '-Ttext', '0x100000', '-e', '_start', '--oformat', 'binary', '-o', `${base}.bin`, `${base}.o`], { encoding: 'utf8' });
  if (l.status !== 0) throw new Error(`ld failed: ${l.stderr}`);
  return new Uint8Array(readFileSync(`${base}.bin`));
}

// Results area written by the common exception handler.
const RES = 0x7000; // +0 vector, +4 error code, +8 saved EIP, +0xc CR2, +0x10 saved CS
const EXPECT = 0x7020; // test bodies store label addresses here (+0, +4, ...)
const HANDLER_EXIT = (0x10 << 1) | 1; // common handler does out 0xf4 with 0x10

/**
 * Prelude: own GDT (null, flat code 0x08, flat data 0x10), a 256-entry IDT at
 * 0x1000 of DPL-0 32-bit interrupt gates pointing at 16-byte stubs. Each stub
 * pushes a dummy 0 error code when the CPU doesn't push one, then the vector,
 * and jumps to `common`, which records vector/error/EIP/CR2/CS and exits
 * through port 0xF4 with 0x10. The test body follows at label `body`.
 */
const PRELUDE = `
  .code32
  .text
  .globl _start
_start:
  lgdt gdtr
  ljmp $0x08, $1f
1:
  movw $0x10, %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %ss
  movw %ax, %fs
  movw %ax, %gs
  movl $0x90000, %esp
  # clear results
  movl $0xffffffff, ${RES}
  movl $0xffffffff, ${RES + 4}
  movl $0xffffffff, ${RES + 8}
  xorl %ecx, %ecx
2:
  movl %ecx, %eax
  shll $4, %eax
  addl $stubbase, %eax
  movl %eax, %edx
  andl $0xffff, %eax
  orl $0x00080000, %eax
  andl $0xffff0000, %edx
  orl $0x8e00, %edx
  movl %eax, 0x1000(,%ecx,8)
  movl %edx, 0x1004(,%ecx,8)
  incl %ecx
  cmpl $256, %ecx
  jne 2b
  lidt idtr
  jmp body

  .balign 8
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff
  .quad 0x00cf92000000ffff
  .quad 0x00cf98000000ffff  # 0x18: execute-only code
  .quad 0x00cf12000000ffff  # 0x20: data, not present
gdt_end:
gdtr:
  .word gdt_end - gdt - 1
  .long gdt
idtr:
  .word 256 * 8 - 1
  .long 0x1000
idtr0:
  .word 0
  .long 0

common:
  movl (%esp), %eax
  movl %eax, ${RES}
  movl 4(%esp), %eax
  movl %eax, ${RES + 4}
  movl 8(%esp), %eax
  movl %eax, ${RES + 8}
  movl %cr2, %eax
  movl %eax, ${RES + 0xc}
  movl 12(%esp), %eax
  movl %eax, ${RES + 0x10}
  movb $0x10, %al
  outb %al, $0xf4
  hlt

  .balign 16
stubbase:
  .set vec, 0
  .rept 256
  .balign 16
  .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
  .else
  pushl $0
  .endif
  pushl $vec
  jmp common
  .set vec, vec + 1
  .endr

body:
`;

interface Outcome {
  stop: MachineStop;
  m: Machine;
  rd: (pa: number) => number;
}

function runProgram(body: string, cycles = 50_000_000): Outcome {
  const bin = assemble(PRELUDE + body + '\n');
  const m = new Machine({ ramMiB: 32 });
  m.mem.load(0x100000, bin);
  m.cpu.setMultibootEntry(0x2badb002, 0, 0x100000, 0x90000);
  const stop = m.run(cycles);
  const dv = new DataView(m.mem.u8.buffer, m.mem.u8.byteOffset, m.mem.u8.byteLength);
  return { stop, m, rd: (pa) => dv.getUint32(pa, true) };
}

function expectHandler(o: Outcome): void {
  expect(o.stop).toEqual({ kind: 'debug-exit', code: HANDLER_EXIT });
}

/** The handler saw `vector` with `errorCode` (0 when the CPU pushes none), raised at the EXPECT label. */
function expectFaultAt(o: ReturnType<typeof runProgram>, vector: number, errorCode: number): void {
  expectHandler(o);
  expect(o.rd(RES)).toBe(vector);
  expect(o.rd(RES + 4)).toBe(errorCode);
  expect(o.rd(RES + 8)).toBe(o.rd(EXPECT));
}

describe.skipIf(!haveToolchain)('exception delivery in 32-bit protected mode', () => {
  it('#DE: vector 0, no error code, saved EIP is the faulting div', () => {
    const o = runProgram(`
  movl $here, ${EXPECT}
  movl $7, %eax
  xorl %edx, %edx
  xorl %ecx, %ecx
here:
  divl %ecx
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectFaultAt(o, 0, 0);
    expect(o.rd(RES + 0x10)).toBe(0x08);
  });

  it('#GP: loading a selector beyond the GDT limit into DS gives error code = selector & 0xFFFC', () => {
    const o = runProgram(`
  movl $here, ${EXPECT}
  movw $0x0f23, %ax
here:
  movw %ax, %ds
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectFaultAt(o, 13, 0x0f20);
  });

  it('loading a readable code selector into DS is allowed', () => {
    const o = runProgram(`
  movw $0x0008, %ax
  movw %ax, %ds
  movw $0x10, %ax
  movw %ax, %ds
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expect(o.stop).toEqual({ kind: 'debug-exit', code: (0x7f << 1) | 1 });
  });

  it('#NP: loading a not-present data selector into DS gives error code = selector', () => {
    const o = runProgram(`
  movl $here, ${EXPECT}
  movw $0x0020, %ax
here:
  movw %ax, %ds
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectFaultAt(o, 11, 0x0020);
  });

  it('#GP: loading an execute-only code selector into DS gives error code = selector', () => {
    const o = runProgram(`
  movl $here, ${EXPECT}
  movw $0x001b, %ax
here:
  movw %ax, %ds
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectFaultAt(o, 13, 0x0018);
  });

  it('#UD: ud2, saved EIP is the ud2', () => {
    const o = runProgram(`
  movl $here, ${EXPECT}
here:
  ud2
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectHandler(o);
    expect(o.rd(RES)).toBe(6);
    expect(o.rd(RES + 8)).toBe(o.rd(EXPECT));
  });

  it('#BP: int3 is a trap, saved EIP is after the int3', () => {
    const o = runProgram(`
  movl $after, ${EXPECT}
  int3
after:
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectHandler(o);
    expect(o.rd(RES)).toBe(3);
    expect(o.rd(RES + 8)).toBe(o.rd(EXPECT));
  });

  it('int 0x40 through a DPL-0 gate at CPL0, saved EIP after the int', () => {
    const o = runProgram(`
  movl $after, ${EXPECT}
  int $0x40
after:
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectFaultAt(o, 0x40, 0);
  });

  // A fault raised while delivering a software interrupt is restartable: the
  // saved EIP is the INT instruction itself (SDM Vol 3 §6.5, APM Vol 2 §8.2).
  it('int 0x40 through a not-present gate gives #NP with error code = vector*8+2 (IDT bit)', () => {
    const o = runProgram(`
  movl $here, ${EXPECT}
  andl $0xffff7fff, 0x1000 + 0x40 * 8 + 4
here:
  int $0x40
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectFaultAt(o, 11, 0x40 * 8 + 2);
  });
});

// 4 KiB page table identity-mapping 0-4 MiB; 0x200000 not present, 0x201000 read-only.
const PAGING = (wp: boolean) => `
  xorl %ecx, %ecx
3:
  movl %ecx, %eax
  shll $12, %eax
  orl $3, %eax
  movl %eax, 0x21000(,%ecx,4)
  incl %ecx
  cmpl $1024, %ecx
  jne 3b
  movl $0, 0x21000 + 0x200 * 4
  movl $0x201001, 0x21000 + 0x201 * 4
  movl $0x21003, 0x20000
  movl $0x20000, %eax
  movl %eax, %cr3
  movl %cr0, %eax
  orl $0x80000000, %eax
  ${wp ? 'orl $0x10000, %eax' : 'andl $0xfffeffff, %eax'}
  movl %eax, %cr0
`;

describe.skipIf(!haveToolchain)('32-bit paging faults', () => {
  it('read of a not-present page: #PF, CR2 = address, error code 0', () => {
    const o = runProgram(PAGING(true) + `
  movl $here, ${EXPECT}
here:
  movl 0x200010, %eax
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectFaultAt(o, 14, 0);
    expect(o.rd(RES + 0xc)).toBe(0x200010);
  });

  it('write of a not-present page: error code 2 (W)', () => {
    const o = runProgram(PAGING(true) + `
  movl $here, ${EXPECT}
here:
  movl $1, 0x200ffc
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectHandler(o);
    expect(o.rd(RES)).toBe(14);
    expect(o.rd(RES + 4)).toBe(2);
    expect(o.rd(RES + 0xc)).toBe(0x200ffc);
  });

  it('supervisor write to a read-only page with CR0.WP=1: #PF error code 3 (P|W)', () => {
    const o = runProgram(PAGING(true) + `
  movl 0x201000, %ebx
  movl $here, ${EXPECT}
here:
  movl $0xdeadbeef, 0x201008
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectFaultAt(o, 14, 3);
    expect(o.rd(RES + 0xc)).toBe(0x201008);
    expect(o.rd(0x201008)).toBe(0); // the write did not happen
  });

  it('supervisor write to a read-only page with CR0.WP=0 succeeds', () => {
    const o = runProgram(PAGING(false) + `
  movl $0xdeadbeef, 0x201008
  cmpl $0xdeadbeef, 0x201008
  jne 4f
  movb $0x55, %al
  outb %al, $0xf4
4:
  movb $0x66, %al
  outb %al, $0xf4
`);
    expect(o.stop).toEqual({ kind: 'debug-exit', code: (0x55 << 1) | 1 });
    expect(o.rd(0x201008)).toBe(0xdeadbeef);
  });
});

describe.skipIf(!haveToolchain)('triple fault', () => {
  it('ud2 with an empty IDT shuts the machine down', () => {
    const o = runProgram(`
  lidt idtr0
  ud2
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expect(o.stop.kind).toBe('shutdown');
    expect((o.stop as { reason: string }).reason).toMatch(/triple fault|#DF/i);
  });

  it('int3 with an empty IDT shuts the machine down', () => {
    const o = runProgram(`
  lidt idtr0
  int3
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expect(o.stop.kind).toBe('shutdown');
    expect((o.stop as { reason: string }).reason).toMatch(/triple fault|#DF/i);
  });
});

// Remap the PIC to 0x20/0x28, unmask only IRQ0, run the PIT ch0 in mode 2 with a
// small count, and spin with IF=0 until IRQ0 shows up in the master IRR.
const PENDING_IRQ0 = `
  movb $0x11, %al
  outb %al, $0x20
  movb $0x20, %al
  outb %al, $0x21
  movb $0x04, %al
  outb %al, $0x21
  movb $0x01, %al
  outb %al, $0x21
  movb $0x11, %al
  outb %al, $0xa0
  movb $0x28, %al
  outb %al, $0xa1
  movb $0x02, %al
  outb %al, $0xa1
  movb $0x01, %al
  outb %al, $0xa1
  movb $0xff, %al
  outb %al, $0xa1
  movb $0xfe, %al
  outb %al, $0x21
  movb $0x34, %al
  outb %al, $0x43
  movb $100, %al
  outb %al, $0x40
  xorb %al, %al
  outb %al, $0x40
  movb $0x0a, %al
  outb %al, $0x20
5:
  inb $0x20, %al
  testb $1, %al
  jz 5b
`;

describe.skipIf(!haveToolchain)('STI interrupt shadow', () => {
  it('sti; hlt with IRQ0 already pending: taken after hlt starts (saved EIP after hlt)', () => {
    const o = runProgram(`
  cli
` + PENDING_IRQ0 + `
  movl $hltinsn, ${EXPECT}
  movl $after, ${EXPECT + 4}
  sti
hltinsn:
  hlt
after:
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectHandler(o);
    expect(o.rd(RES)).toBe(0x20);
    expect(o.rd(RES + 8)).not.toBe(o.rd(EXPECT)); // never between sti and hlt
    expect(o.rd(RES + 8)).toBe(o.rd(EXPECT + 4));
  });

  it('sti; nop with IRQ0 already pending: taken after the nop, not before it', () => {
    const o = runProgram(`
  cli
` + PENDING_IRQ0 + `
  movl $nopinsn, ${EXPECT}
  movl $after, ${EXPECT + 4}
  sti
nopinsn:
  nop
after:
  nop
  nop
  movb $0x7f, %al
  outb %al, $0xf4
`);
    expectHandler(o);
    expect(o.rd(RES)).toBe(0x20);
    expect(o.rd(RES + 8)).not.toBe(o.rd(EXPECT));
    // the interrupt is already pending, so it is recognised at the first boundary after the shadow
    expect(o.rd(RES + 8)).toBe(o.rd(EXPECT + 4));
  });

  it('IRQ0 stays pending while IF=0 (cli) and no interrupt is taken', () => {
    const o = runProgram(`
  cli
` + PENDING_IRQ0 + `
  movl $0x1234, %ecx
6:
  loop 6b
  movb $0x33, %al
  outb %al, $0xf4
`);
    expect(o.stop).toEqual({ kind: 'debug-exit', code: (0x33 << 1) | 1 });
    expect(o.rd(RES)).toBe(0xffffffff);
  });
});
