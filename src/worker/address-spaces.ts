// The address spaces the debugger shows, side-effect free (no A/D bits, no TLB
// fills): physical, the hypervisor's virtual addresses, a guest's physical
// addresses (through its nested table) and a guest's virtual addresses (its
// own page table, every table access through the nested table), plus the
// two-level page walk for the page-walk view. Pure TS over a Machine: used by
// the worker and by tests in Node.
import type { Machine } from '../emu/machine/machine';
import { Mmu, type PagingControl, type WalkStep } from '../emu/mem/paging';
import { hsavePa } from '../emu/svm/world';
import { OFF } from '../emu/svm/vmcb-access';
import type { VmRecord } from '../emu/svm/vms';
import type { MemorySpace, PageWalkInfo, WalkStepInfo } from './protocol';

const PG = 0x80000000 | 0;
const hex = (v: number | bigint) => '0x' + (typeof v === 'bigint' ? v : BigInt(Math.max(0, v))).toString(16);

function split(a: number): [number, number] {
  const hi = Math.floor(a / 4294967296);
  return [(a - hi * 4294967296) | 0, hi | 0];
}

/** The host's paging registers: the CPU's in the host, the host save area's while a guest runs. */
export function hostControl(m: Machine): PagingControl {
  const c = m.cpu;
  if (!c.svm.guest) return { cr0: c.cr0, cr3Lo: c.cr3Lo, cr3Hi: c.cr3Hi, cr4: c.cr4, efer: c.efer };
  const hs = hsavePa(c);
  const mem = m.mem;
  return {
    cr0: mem.read32(hs + OFF.cr0!), cr3Lo: mem.read32(hs + OFF.cr3!), cr3Hi: mem.read32(hs + OFF.cr3! + 4),
    cr4: mem.read32(hs + OFF.cr4!), efer: mem.read32(hs + OFF.efer!),
  };
}

/** A guest's paging registers: live while it runs, else as its VMCB saved them at its last #VMEXIT. */
export function guestControl(m: Machine, vm: VmRecord): PagingControl {
  const c = m.cpu;
  if (c.svm.guest && c.svm.asid === vm.asid) return { cr0: c.cr0, cr3Lo: c.cr3Lo, cr3Hi: c.cr3Hi, cr4: c.cr4, efer: c.efer };
  const mem = m.mem, v = vm.vmcb;
  return {
    cr0: mem.read32(v + OFF.cr0!), cr3Lo: mem.read32(v + OFF.cr3!), cr3Hi: mem.read32(v + OFF.cr3! + 4),
    cr4: mem.read32(v + OFF.cr4!), efer: mem.read32(v + OFF.efer!),
  };
}

function nestedMmu(m: Machine, vm: VmRecord): Mmu {
  const h = hostControl(m);
  const [lo, hi] = split(vm.nCr3);
  return new Mmu(m.mem, { cr0: PG | 1, cr3Lo: lo, cr3Hi: hi, cr4: h.cr4, efer: h.efer });
}

function guestMmu(m: Machine, vm: VmRecord): Mmu {
  const g = guestControl(m, vm);
  const mmu = new Mmu(m.mem, g);
  if (vm.np) {
    const h = hostControl(m);
    const [lo, hi] = split(vm.nCr3);
    mmu.setNested(true, lo, hi, h.cr0, h.cr4, h.efer);
  }
  return mmu;
}

/** Linear/physical -> host-physical in one address space; -1 when not mapped. */
export function translator(m: Machine, space: MemorySpace, asid = 0): (a: number) => number {
  if (space === 'physical') return (a) => a;
  if (space === 'host-virtual') {
    const ctl = hostControl(m);
    if (!(ctl.cr0 & PG)) return (a) => a;
    const mmu = new Mmu(m.mem, ctl);
    return (a) => { const [lo, hi] = split(a); return mmu.probe(lo, hi).pa; };
  }
  const vm = m.cpu.svm.vms.byAsid.get(asid);
  if (!vm) throw new Error(`no VM with ASID ${asid} has run yet`);
  if (space === 'guest-physical') {
    if (!vm.np) return (a) => a;
    const mmu = nestedMmu(m, vm);
    return (a) => { const [lo, hi] = split(a); return mmu.probe(lo, hi).pa; };
  }
  const mmu = guestMmu(m, vm);
  const paging = (guestControl(m, vm).cr0 & PG) !== 0;
  if (!paging && !vm.np) return (a) => a;
  return (a) => { const [lo, hi] = split(a); return mmu.probe(lo, hi).pa; };
}

/** `length` bytes of an address space, or null when its first byte is not mapped (later unmapped bytes read 0xFF). */
export function readSpace(m: Machine, space: MemorySpace, address: number, length: number, asid = 0): Uint8Array | null {
  const xlate = translator(m, space, asid);
  const out = new Uint8Array(length).fill(0xff);
  let base = -1;
  for (let k = 0; k < length; k++) {
    const a = address + k;
    if (k === 0 || a % 4096 === 0) base = xlate(a - (a % 4096));
    if (base < 0) { if (k === 0) return null; continue; }
    out[k] = m.mem.read8(base + (a % 4096));
  }
  return out;
}

function steps(prefix: string, s: WalkStep[]): WalkStepInfo[] {
  return s.map((x) => ({
    level: `${prefix} ${x.level}`,
    entryAddress: hex(x.entryAddr),
    entry: hex(x.entry),
    next: hex((x.entry & 0x000ffffffffff000n)),
  }));
}

/**
 * A virtual address walked step by step: in the host through the host's
 * tables; in a guest through the guest's tables, each guest table entry's
 * guest-physical address through the nested table, and the final guest-
 * physical address through the nested table to host-physical.
 */
export function pageWalk(m: Machine, asid: number, va: number): PageWalkInfo {
  const [lo, hi] = split(va);
  if (asid === 0) {
    const ctl = hostControl(m);
    if (!(ctl.cr0 & PG)) return { va: hex(va), asid, steps: [], gpa: null, hpa: hex(va) };
    const r = new Mmu(m.mem, ctl).probe(lo, hi);
    return { va: hex(va), asid, steps: steps('host', r.steps), gpa: null, hpa: r.pa < 0 ? null : hex(r.pa) };
  }
  const vm = m.cpu.svm.vms.byAsid.get(asid);
  if (!vm) throw new Error(`no VM with ASID ${asid} has run yet`);
  const g = guestControl(m, vm);
  const nested = vm.np ? nestedMmu(m, vm) : null;
  const out: WalkStepInfo[] = [];
  const viaNested = (gpa: number, what: string): number => {
    if (!nested) return gpa;
    const [l, h] = split(gpa);
    const r = nested.probe(l, h);
    out.push(...steps(`nested (${what})`, r.steps));
    return r.pa;
  };
  let gpa: number;
  if (!(g.cr0 & PG)) {
    gpa = va;
  } else {
    // The guest's walk (its table addresses are guest-physical; the MMU reads them through the nested table).
    const walk = guestMmu(m, vm).probe(lo, hi);
    for (const s of walk.steps) {
      viaNested(s.entryAddr, `guest ${s.level} entry`);
      out.push(...steps('guest', [s]));
    }
    if (walk.pa < 0) return { va: hex(va), asid, steps: out, gpa: null, hpa: null };
    // The guest-physical address the guest walk produced: the leaf's frame + offset.
    const leaf = walk.steps[walk.steps.length - 1];
    if (!leaf) return { va: hex(va), asid, steps: out, gpa: null, hpa: null };
    const pae = (g.cr4 & (1 << 5)) !== 0;
    const size = leaf.level === 'PT' ? 4096 : leaf.level === 'PD' ? (pae ? 2 ** 21 : 2 ** 22) : 2 ** 30;
    const frame = Number(leaf.entry & 0x000ffffffffff000n);
    gpa = frame - (frame % size) + (va % size);
  }
  const hpa = viaNested(gpa, 'final');
  return { va: hex(va), asid, steps: out, gpa: hex(gpa), hpa: hpa < 0 ? null : hex(hpa) };
}
