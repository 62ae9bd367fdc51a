// Reading a guest's physical memory as the debugger sees it: through that VM's
// nested page table (when it runs with nested paging), without side effects
// (no A/D bits, no TLB fill). Used for the guests' private screens and, later,
// the memory views.
import type { PhysMem } from '../mem/phys';
import { Mmu } from '../mem/paging';
import type { VmRecord } from './vms';

/**
 * A guest-physical -> host-physical translator for one VM; `hostCr4`/`hostEfer`
 * give the nested table's format (the host's paging mode). -1: not mapped.
 */
export function nestedTranslator(mem: PhysMem, vm: VmRecord, hostCr4: number, hostEfer: number): (gpa: number) => number {
  if (!vm.np) return (gpa) => gpa;
  const mmu = new Mmu(mem, {
    cr0: 0x80000011 | 0, cr3Lo: vm.nCr3 % 4294967296 | 0, cr3Hi: Math.floor(vm.nCr3 / 4294967296), cr4: hostCr4, efer: hostEfer,
  });
  return (gpa) => mmu.probe(gpa % 4294967296 | 0, Math.floor(gpa / 4294967296)).pa;
}

/** `len` bytes of guest-physical memory from `gpa` (unmapped bytes read as 0xFF). */
export function readGuestPhys(mem: PhysMem, xlate: (gpa: number) => number, gpa: number, len: number): Uint8Array {
  const out = new Uint8Array(len).fill(0xff);
  for (let k = 0; k < len;) {
    const page = Math.floor((gpa + k) / 4096) * 4096;
    const n = Math.min(len - k, page + 4096 - (gpa + k));
    const hpa = xlate(gpa + k);
    if (hpa >= 0) for (let j = 0; j < n; j++) out[k + j] = mem.read8(hpa + j);
    k += n;
  }
  return out;
}
