// Tests' 4-level page tables: a CPU in 64-bit mode with paging on, and the 4 KiB pages the test
// maps (the translation cases of fetch-translation.test.ts and jit/page-memo.test.ts).
import { Cpu } from './cpu';
import { PhysMem } from '../mem/phys';

/** 4-level tables built from `at` upwards (4 KiB a table), mapping 4 KiB pages one by one. */
export class PageTables {
  private next: number;
  private readonly dv: DataView;

  constructor(private readonly mem: PhysMem, readonly root: number) {
    this.dv = new DataView(mem.u8.buffer);
    this.next = root + 0x1000;
  }

  private entry(table: number, index: number): number {
    const pa = table + 8 * index;
    let e = this.dv.getUint32(pa, true);
    if ((e & 1) === 0) {
      e = this.next | 7; // present, writable, user: the leaf decides
      this.next += 0x1000;
      this.dv.setUint32(pa, e, true);
    }
    return e & ~0xfff;
  }

  /** Map the linear page at (lo, hi) to physical `pa` with PTE flags (1 present, 2 writable, 4 user). */
  map(lo: number, hi: number, pa: number, flags: number): this {
    const l4 = (hi >>> 7) & 511, l3 = ((hi & 127) << 2) | (lo >>> 30), l2 = (lo >>> 21) & 511, l1 = (lo >>> 12) & 511;
    const pt = this.entry(this.entry(this.entry(this.root, l4), l3), l2);
    this.dv.setUint32(pt + 8 * l1, pa | flags, true);
    this.dv.setUint32(pt + 8 * l1 + 4, 0, true);
    return this;
  }

  /** The first `n` pages 1:1, writable, user. */
  identity(n: number): this {
    for (let k = 0; k < n; k++) this.map(k << 12, 0, k << 12, 7);
    return this;
  }
}

/** A 64-bit CPU at CPL 0 with paging on through `tables` (CR0.WP set), RIP at `rip`, the given engine. */
export function pagedCpu(mem: PhysMem, tables: PageTables, jit: boolean, rip: number): Cpu {
  const cpu = new Cpu(mem);
  cpu.setFlat64();
  cpu.jit = jit;
  cpu.blocks.opts.threshold = 1;
  cpu.cr4 = 0x20; // PAE
  cpu.cr3Lo = tables.root;
  cpu.cr0 = 0x80010011; // PG, WP, ET, PE
  cpu.efer = 0x501; // LME, LMA, SCE
  cpu.paging = true;
  cpu.mmu.flushAll();
  cpu.ripLo = rip;
  cpu.r[8] = 0x80000; // rsp
  return cpu;
}
