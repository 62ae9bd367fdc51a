// Paging: the page walk (32-bit, PAE, 4-level long mode; 4 KiB, 2/4 MiB and
// 1 GiB pages) and a direct-mapped TLB in front of it. APM Vol 2 §5.
//
//   4-level (long mode) linear address:
//   63     48 47    39 38    30 29    21 20    12 11         0
//   [ sign   | PML4   | PDPT   | PD     | PT     | offset     ]
//
// A TLB entry caches one 4 KiB translation and the accesses it allows. Write
// permission is cached only once the D bit is set, so the first write always
// walks and sets D; A bits are set by the walk itself.
import type { PhysMem } from './phys';

/** Access kinds. */
export const READ = 0, WRITE = 1, EXEC = 2;

// TLB permission bits: supervisor/user x read/write/exec.
const R_S = 1, W_S = 2, R_U = 4, W_U = 8, X_S = 16, X_U = 32;
const NEED = [
  [R_S, W_S, X_S],
  [R_U, W_U, X_U],
];

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const INVALID_HI = 0x7ffffff0; // never a canonical upper half

/** Page-fault error code bits. */
export const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16;

/** What the walker needs to know about the CPU (paging mode and protection controls). */
export interface PagingControl {
  cr0: number;
  cr3Lo: number;
  cr3Hi: number;
  cr4: number;
  efer: number;
}

/** One step of a walk, for the debugger's page-walk view. */
export interface WalkStep {
  level: string;
  tableAddr: number;
  index: number;
  entryAddr: number;
  entry: bigint;
}

export class Mmu {
  private readonly tagLo = new Int32Array(TLB_SIZE);
  private readonly tagHi = new Int32Array(TLB_SIZE).fill(INVALID_HI);
  private readonly phys = new Float64Array(TLB_SIZE);
  private readonly perm = new Uint8Array(TLB_SIZE);
  private readonly global = new Uint8Array(TLB_SIZE);
  walks = 0;
  flushes = 0;

  constructor(private readonly mem: PhysMem, private readonly ctl: PagingControl) {}

  /** Error code of the last failed translation (translate returned -1). */
  faultCode = 0;

  /**
   * Translate a linear address (lo, hi) for an access by `user` (CPL 3, not an
   * implicit supervisor access). Returns the physical address, or -1 with
   * faultCode set for a page fault.
   */
  translate(lo: number, hi: number, access: number, user: boolean): number {
    const idx = (lo >>> 12) & (TLB_SIZE - 1);
    const need = NEED[user ? 1 : 0]![access]!;
    if (this.tagLo[idx] === (lo & ~0xfff) && this.tagHi[idx] === hi && (this.perm[idx]! & need) === need) {
      return this.phys[idx]! + (lo & 0xfff);
    }
    return this.walk(lo, hi, access, user, idx);
  }

  flushAll(keepGlobal = false): void {
    this.flushes++;
    for (let k = 0; k < TLB_SIZE; k++) {
      if (keepGlobal && this.global[k]) continue;
      this.tagHi[k] = INVALID_HI;
    }
  }

  /** invlpg: drop whatever caches this address (large pages: everything of that page). */
  invalidate(lo: number, hi: number): void {
    void lo; void hi;
    this.flushAll(false);
  }

  private read64(pa: number, out: Int32Array): void {
    out[0] = this.mem.read32(pa);
    out[1] = this.mem.read32(pa + 4);
  }
  private readonly e = new Int32Array(2);

  /** Walk the page tables; on success fill the TLB entry idx. */
  private walk(lo: number, hi: number, access: number, user: boolean, idx: number): number {
    this.walks++;
    const r = this.walkInner(lo, hi, access, user, true, null);
    if (r.fault >= 0) {
      this.faultCode = r.fault;
      return -1;
    }
    this.tagLo[idx] = lo & ~0xfff;
    this.tagHi[idx] = hi;
    this.phys[idx] = r.page;
    this.perm[idx] = r.perm;
    this.global[idx] = r.global ? 1 : 0;
    return r.page + (lo & 0xfff);
  }

  /**
   * Side-effect-free translation for the debugger (no A/D updates, no TLB fill):
   * the physical address or -1, and the steps taken.
   */
  probe(lo: number, hi: number): { pa: number; steps: WalkStep[] } {
    const steps: WalkStep[] = [];
    const r = this.walkInner(lo, hi, READ, false, false, steps);
    return { pa: r.fault >= 0 ? -1 : r.page + (lo & 0xfff), steps };
  }

  private walkInner(lo: number, hi: number, access: number, user: boolean, update: boolean, steps: WalkStep[] | null):
    { fault: number; page: number; perm: number; global: boolean } {
    const c = this.ctl;
    const wp = (c.cr0 & (1 << 16)) !== 0;
    const nxe = (c.efer & (1 << 11)) !== 0;
    const pae = (c.cr4 & (1 << 5)) !== 0;
    const lma = (c.efer & (1 << 10)) !== 0;
    const errBase = (access === WRITE ? PF_W : 0) | (user ? PF_U : 0) | (access === EXEC && nxe ? PF_I : 0);
    let rw = 1, us = 1, nx = 0;
    const e = this.e;
    const va = (hi & 0xffff) * 4294967296 + (lo >>> 0);
    const entries: number[] = []; // entry physical addresses, to set A bits after the checks
    let page = 0, pageSize = 0, global = false, dirty = false, leafAddr = 0;

    const record = (level: string, table: number, index: number, addr: number) => {
      if (steps) steps.push({ level, tableAddr: table, index, entryAddr: addr, entry: (BigInt(e[1]! >>> 0) << 32n) | BigInt(e[0]! >>> 0) });
    };
    const notPresent = () => ({ fault: errBase, page: 0, perm: 0, global: false });

    if (lma || pae) {
      // 4-level (long mode) or 3-level PAE (legacy mode with CR4.PAE).
      let table: number;
      let level: number;
      const levels = lma ? ['PML4', 'PDPT', 'PD', 'PT'] : ['PDPT', 'PD', 'PT'];
      if (lma) { table = (c.cr3Hi & 0xfffff) * 4294967296 + ((c.cr3Lo & ~0xfff) >>> 0); level = 4; }
      else { table = (c.cr3Lo & ~0x1f) >>> 0; level = 3; }
      for (;;) {
        const shift = 12 + 9 * (level - 1);
        const index = Math.floor(va / 2 ** shift) % (level === 3 && !lma ? 4 : 512);
        const addr = table + index * 8;
        this.read64(addr, e);
        record(levels[levels.length - level]!, table, index, addr);
        if ((e[0]! & 1) === 0) return notPresent();
        const legacyPdpte = !lma && level === 3;
        if (!legacyPdpte) {
          rw &= (e[0]! >> 1) & 1;
          us &= (e[0]! >> 2) & 1;
          if (nxe) nx |= e[1]! >>> 31;
          entries.push(addr);
        }
        const next = (e[1]! & 0xfffff) * 4294967296 + ((e[0]! & ~0xfff) >>> 0);
        const ps = (e[0]! & 0x80) !== 0;
        if (level === 1 || (ps && (level === 2 || (level === 3 && lma)))) {
          pageSize = 2 ** shift;
          page = level === 1 ? next : next - (next % pageSize) + (Math.floor(va / 4096) * 4096) % pageSize;
          global = (e[0]! & 0x100) !== 0;
          dirty = (e[0]! & 0x40) !== 0;
          leafAddr = addr;
          break;
        }
        table = next;
        level--;
      }
    } else {
      // 32-bit paging: 2 levels, 4 KiB or (CR4.PSE) 4 MiB pages, 4-byte entries.
      const pd = (c.cr3Lo & ~0xfff) >>> 0;
      const pdi = lo >>> 22;
      const pde = this.mem.read32(pd + pdi * 4);
      e[0] = pde; e[1] = 0;
      record('PD', pd, pdi, pd + pdi * 4);
      if ((pde & 1) === 0) return notPresent();
      rw &= (pde >> 1) & 1;
      us &= (pde >> 2) & 1;
      entries.push(pd + pdi * 4);
      if ((pde & 0x80) !== 0 && (c.cr4 & (1 << 4)) !== 0) {
        page = ((pde & 0xffc00000) >>> 0) + (lo & 0x3ff000);
        global = (pde & 0x100) !== 0;
        dirty = (pde & 0x40) !== 0;
        leafAddr = pd + pdi * 4;
      } else {
        const pt = (pde & ~0xfff) >>> 0;
        const pti = (lo >>> 12) & 0x3ff;
        const pte = this.mem.read32(pt + pti * 4);
        e[0] = pte; e[1] = 0;
        record('PT', pt, pti, pt + pti * 4);
        if ((pte & 1) === 0) return notPresent();
        rw &= (pte >> 1) & 1;
        us &= (pte >> 2) & 1;
        entries.push(pt + pti * 4);
        page = (pte & ~0xfff) >>> 0;
        global = (pte & 0x100) !== 0;
        dirty = (pte & 0x40) !== 0;
        leafAddr = pt + pti * 4;
      }
    }

    // Protection (APM Vol 2 §5.6).
    const prot = errBase | PF_P;
    if (user && !us) return { fault: prot, page: 0, perm: 0, global: false };
    if (access === WRITE && !rw && (user || wp)) return { fault: prot, page: 0, perm: 0, global: false };
    if (access === EXEC && nx) return { fault: prot, page: 0, perm: 0, global: false };

    if (update) {
      for (const a of entries) {
        const v = this.mem.read32(a);
        if ((v & 0x20) === 0) this.mem.write32(a, v | 0x20);
      }
      if (access === WRITE && !dirty) {
        const v = this.mem.read32(leafAddr);
        this.mem.write32(leafAddr, v | 0x40);
        dirty = true;
      }
    }
    let perm = R_S | (nx ? 0 : X_S);
    if (dirty && (rw || !wp)) perm |= W_S;
    if (us) {
      perm |= R_U | (nx ? 0 : X_U);
      if (dirty && rw) perm |= W_U;
    }
    return { fault: -1, page, perm, global };
  }
}
