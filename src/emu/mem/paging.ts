// Paging: the page walk (32-bit, PAE, 4-level long mode; 4 KiB, 2/4 MiB and
// 1 GiB pages) and a direct-mapped TLB in front of it. APM Vol 2 §5.
//
//   4-level (long mode) linear address:
//   63     48 47    39 38    30 29    21 20    12 11         0
//   [ sign   | PML4   | PDPT   | PD     | PT     | offset     ]
//
// A TLB entry caches one 4 KiB translation and the accesses it allows. Write
// permission is cached only once the D bit is set, so the first write always
// walks and sets D; A bits are set by the walk itself. Entries are tagged by
// ASID (APM §15.16): the host's (ASID 0) and each guest's coexist.
//
// Nested paging (APM §15.25): while a guest runs with NP_ENABLE, every guest-
// physical address the guest produces, the guest's own page-table entries
// included, is translated again through the nested page table at N_CR3, in the
// host's paging mode captured at VMRUN, as a user access (guest page-table
// accesses as user writes, since the walk may set A/D bits). A failure there is
// a nested page fault: the CPU turns it into #VMEXIT(NPF).
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
const INVALID_KEY = -1; // keys are (hi & 0x1ffff) | asid << 17, never negative
/** ASIDs are tags of 14 bits here (models report at most 4096). */
const ASID_MASK = 0x3fff;

/** Page-fault error code bits. */
export const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16;
/** Nested page fault EXITINFO1 high-half bits: fault on the final translation (32) or on a guest table (33). */
export const NPF_FINAL_HI = 1, NPF_TABLE_HI = 2;

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

/** A walk's outcome: fault >= 0 is a #PF error code; NPF_MARK a nested page fault (Mmu.npf*). */
interface WalkResult { fault: number; page: number; perm: number; global: boolean }
const NPF_MARK = -2;
const OK = -1;
const CR0_PG = 1 << 31;

export class Mmu {
  private readonly tagLo = new Int32Array(TLB_SIZE);
  private readonly tagHi = new Int32Array(TLB_SIZE).fill(INVALID_KEY);
  private readonly phys = new Float64Array(TLB_SIZE);
  private readonly perm = new Uint8Array(TLB_SIZE);
  private readonly global = new Uint8Array(TLB_SIZE);
  private readonly asidOf = new Uint16Array(TLB_SIZE);
  walks = 0;
  flushes = 0;

  /** The current ASID (0: the host) and its tag bits in the TLB key. */
  asid = 0;
  private asidTag = 0;

  /** Nested paging: on while a guest with NP_ENABLE runs; nctl holds N_CR3 and the host's mode. */
  np = false;
  private readonly nctl: PagingControl = { cr0: 0, cr3Lo: 0, cr3Hi: 0, cr4: 0, efer: 0 };
  /** Set when translate failed with a nested page fault: EXITINFO1 (two halves) and the guest-physical address. */
  npf = false;
  npfInfoLo = 0;
  npfInfoHi = 0;
  npfGpa = 0;
  /** Permission bits of the last successful nested final translation. */
  private nestedPerm = 0;

  constructor(private readonly mem: PhysMem, private readonly ctl: PagingControl) {}

  /** Error code of the last failed translation (translate returned -1 and npf is false). */
  faultCode = 0;

  /**
   * Translate a linear address (lo, hi) for an access by `user` (CPL 3, not an
   * implicit supervisor access). Returns the physical address, or -1 with
   * faultCode set for a page fault (or npf set for a nested page fault).
   */
  translate(lo: number, hi: number, access: number, user: boolean): number {
    const idx = (lo >>> 12) & (TLB_SIZE - 1);
    const need = NEED[user ? 1 : 0]![access]!;
    if (this.tagLo[idx] === (lo & ~0xfff) && this.tagHi[idx] === ((hi & 0x1ffff) | this.asidTag) && (this.perm[idx]! & need) === need) {
      return this.phys[idx]! + (lo & 0xfff);
    }
    return this.walk(lo, hi, access, user, idx);
  }

  /** Switch the TLB's current ASID (VMRUN, #VMEXIT). */
  setAsid(asid: number): void {
    this.asid = asid & ASID_MASK;
    this.asidTag = this.asid << 17;
  }

  /** Nested paging on (with N_CR3 and the host's CR0/CR4/EFER at VMRUN) or off. */
  setNested(on: boolean, nCr3Lo = 0, nCr3Hi = 0, hostCr0 = 0, hostCr4 = 0, hostEfer = 0): void {
    this.np = on;
    const n = this.nctl;
    n.cr3Lo = nCr3Lo; n.cr3Hi = nCr3Hi; n.cr0 = hostCr0; n.cr4 = hostCr4; n.efer = hostEfer;
  }

  /** Every ASID's entries (global ones kept when asked: a CR3 load). */
  flushAll(keepGlobal = false): void {
    this.flushes++;
    for (let k = 0; k < TLB_SIZE; k++) {
      if (keepGlobal && this.global[k]) continue;
      this.tagHi[k] = INVALID_KEY;
    }
  }

  /** One ASID's entries (TLB_CONTROL 3 and 7, INVLPGA). */
  flushAsid(asid: number, keepGlobal = false): void {
    this.flushes++;
    const a = asid & ASID_MASK;
    for (let k = 0; k < TLB_SIZE; k++) {
      if (this.asidOf[k] !== a || (keepGlobal && this.global[k])) continue;
      this.tagHi[k] = INVALID_KEY;
    }
  }

  /** invlpg: drop whatever caches this address in the current ASID (large pages: all of it). */
  invalidate(lo: number, hi: number): void {
    void lo; void hi;
    this.flushAsid(this.asid);
  }

  /** INVLPGA: the same for the address in another ASID. */
  invalidateAsid(lo: number, hi: number, asid: number): void {
    void lo; void hi;
    this.flushAsid(asid);
  }

  private read64(pa: number, out: Int32Array): void {
    out[0] = this.mem.read32(pa);
    out[1] = this.mem.read32(pa + 4);
  }
  private readonly e = new Int32Array(2);

  /** Walk the page tables; on success fill the TLB entry idx. */
  private walk(lo: number, hi: number, access: number, user: boolean, idx: number): number {
    this.walks++;
    this.npf = false;
    let r: WalkResult;
    if ((this.ctl.cr0 & CR0_PG) === 0) {
      // Nested paging with guest paging off: the linear address is the guest-physical one.
      const hpa = this.nested(lo >>> 0, hi, access, true, true);
      r = hpa < 0 ? { fault: NPF_MARK, page: 0, perm: 0, global: false }
        : { fault: OK, page: hpa - (lo & 0xfff), perm: this.nestedPerm, global: false };
    } else {
      r = this.walkInner(this.ctl, lo, hi, access, user, true, null, this.np);
    }
    if (r.fault !== OK) {
      this.faultCode = r.fault === NPF_MARK ? 0 : r.fault;
      return -1;
    }
    this.tagLo[idx] = lo & ~0xfff;
    this.tagHi[idx] = (hi & 0x1ffff) | this.asidTag;
    this.asidOf[idx] = this.asid;
    this.phys[idx] = r.page;
    this.perm[idx] = r.perm;
    this.global[idx] = r.global ? 1 : 0;
    return r.page + (lo & 0xfff);
  }

  /**
   * Guest-physical -> host-physical through the nested table (a user access;
   * `final` says whether this is the access itself or a guest page-table entry).
   * Returns -1 and records the nested page fault (npf*) on failure.
   */
  private nested(gpaLo: number, gpaHi: number, access: number, final: boolean, update: boolean): number {
    const r = this.walkInner(this.nctl, gpaLo | 0, gpaHi, access, true, update, null, false);
    if (r.fault !== OK) {
      this.npf = true;
      this.npfInfoLo = r.fault | PF_U;
      this.npfInfoHi = final ? NPF_FINAL_HI : NPF_TABLE_HI;
      this.npfGpa = gpaHi * 4294967296 + (gpaLo >>> 0);
      return -1;
    }
    // The nested table's user permissions bound both privilege levels of the guest.
    const p = r.perm;
    this.nestedPerm = ((p & R_U) ? R_S | R_U : 0) | ((p & W_U) ? W_S | W_U : 0) | ((p & X_U) ? X_S | X_U : 0);
    return r.page + (gpaLo & 0xfff);
  }

  /** A guest page-table entry's address, through the nested table when nesting (-1: nested fault). */
  private tableAddr(gpa: number, nest: boolean, update: boolean): number {
    if (!nest) return gpa;
    return this.nested(gpa % 4294967296, Math.floor(gpa / 4294967296), WRITE, false, update);
  }

  /**
   * Side-effect-free translation for the debugger (no A/D updates, no TLB fill):
   * the physical address or -1, and the steps taken (guest tables; with nested
   * paging their addresses are guest-physical).
   */
  probe(lo: number, hi: number): { pa: number; steps: WalkStep[] } {
    const steps: WalkStep[] = [];
    const saved = [this.npf, this.npfInfoLo, this.npfInfoHi, this.npfGpa] as const;
    let pa: number;
    if ((this.ctl.cr0 & CR0_PG) === 0) {
      pa = this.np ? this.nested(lo >>> 0, hi, READ, true, false) : hi === 0 ? lo >>> 0 : -1;
    } else {
      const r = this.walkInner(this.ctl, lo, hi, READ, false, false, steps, this.np);
      pa = r.fault !== OK ? -1 : r.page + (lo & 0xfff);
    }
    [this.npf, this.npfInfoLo, this.npfInfoHi, this.npfGpa] = saved;
    return { pa, steps };
  }

  /**
   * The page walk of `c`'s paging mode for linear address (lo, hi). With `nest`,
   * every table address and the final page are guest-physical and go through
   * the nested table; a nested failure returns NPF_MARK.
   */
  private walkInner(c: PagingControl, lo: number, hi: number, access: number, user: boolean, update: boolean,
    steps: WalkStep[] | null, nest: boolean): WalkResult {
    const wp = (c.cr0 & (1 << 16)) !== 0;
    const nxe = (c.efer & (1 << 11)) !== 0;
    const pae = (c.cr4 & (1 << 5)) !== 0;
    const lma = (c.efer & (1 << 10)) !== 0;
    const errBase = (access === WRITE ? PF_W : 0) | (user ? PF_U : 0) | (access === EXEC && nxe ? PF_I : 0);
    let rw = 1, us = 1, nx = 0;
    const e = this.e;
    const va = (hi & 0xffff) * 4294967296 + (lo >>> 0);
    const entries: number[] = []; // entry (host-)physical addresses, to set A bits after the checks
    let page = 0, pageSize = 0, global = false, dirty = false, leafAddr = 0;
    const nestedFault: WalkResult = { fault: NPF_MARK, page: 0, perm: 0, global: false };

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
        const ha = this.tableAddr(addr, nest, update);
        if (ha < 0) return nestedFault;
        this.read64(ha, e);
        record(levels[levels.length - level]!, table, index, addr);
        if ((e[0]! & 1) === 0) return notPresent();
        const legacyPdpte = !lma && level === 3;
        if (!legacyPdpte) {
          rw &= (e[0]! >> 1) & 1;
          us &= (e[0]! >> 2) & 1;
          if (nxe) nx |= e[1]! >>> 31;
          entries.push(ha);
        }
        const next = (e[1]! & 0xfffff) * 4294967296 + ((e[0]! & ~0xfff) >>> 0);
        const ps = (e[0]! & 0x80) !== 0;
        if (level === 1 || (ps && (level === 2 || (level === 3 && lma)))) {
          pageSize = 2 ** shift;
          page = level === 1 ? next : next - (next % pageSize) + (Math.floor(va / 4096) * 4096) % pageSize;
          global = (e[0]! & 0x100) !== 0;
          dirty = (e[0]! & 0x40) !== 0;
          leafAddr = ha;
          break;
        }
        table = next;
        level--;
      }
    } else {
      // 32-bit paging: 2 levels, 4 KiB or (CR4.PSE) 4 MiB pages, 4-byte entries.
      const pd = (c.cr3Lo & ~0xfff) >>> 0;
      const pdi = lo >>> 22;
      const pdeAddr = this.tableAddr(pd + pdi * 4, nest, update);
      if (pdeAddr < 0) return nestedFault;
      const pde = this.mem.read32(pdeAddr);
      e[0] = pde; e[1] = 0;
      record('PD', pd, pdi, pd + pdi * 4);
      if ((pde & 1) === 0) return notPresent();
      rw &= (pde >> 1) & 1;
      us &= (pde >> 2) & 1;
      entries.push(pdeAddr);
      if ((pde & 0x80) !== 0 && (c.cr4 & (1 << 4)) !== 0) {
        page = ((pde & 0xffc00000) >>> 0) + (lo & 0x3ff000);
        global = (pde & 0x100) !== 0;
        dirty = (pde & 0x40) !== 0;
        leafAddr = pdeAddr;
      } else {
        const pt = (pde & ~0xfff) >>> 0;
        const pti = (lo >>> 12) & 0x3ff;
        const pteAddr = this.tableAddr(pt + pti * 4, nest, update);
        if (pteAddr < 0) return nestedFault;
        const pte = this.mem.read32(pteAddr);
        e[0] = pte; e[1] = 0;
        record('PT', pt, pti, pt + pti * 4);
        if ((pte & 1) === 0) return notPresent();
        rw &= (pte >> 1) & 1;
        us &= (pte >> 2) & 1;
        entries.push(pteAddr);
        page = (pte & ~0xfff) >>> 0;
        global = (pte & 0x100) !== 0;
        dirty = (pte & 0x40) !== 0;
        leafAddr = pteAddr;
      }
    }

    // Protection (APM Vol 2 §5.6).
    const prot = errBase | PF_P;
    if (user && !us) return { fault: prot, page: 0, perm: 0, global: false };
    if (access === WRITE && !rw && (user || wp)) return { fault: prot, page: 0, perm: 0, global: false };
    if (access === EXEC && nx) return { fault: prot, page: 0, perm: 0, global: false };

    // The guest walk succeeded: the page itself goes through the nested table
    // (guest #PF first, then NPF: APM §15.25.6), before any A/D bit changes.
    let nestedMask = 0xff;
    if (nest) {
      const gpa = page + (lo & 0xfff); // EXITINFO2 is the exact guest-physical address
      const hpa = this.nested(gpa % 4294967296, Math.floor(gpa / 4294967296), access, true, update);
      if (hpa < 0) return nestedFault;
      page = hpa - (lo & 0xfff);
      nestedMask = this.nestedPerm;
    }

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
    return { fault: OK, page, perm: perm & nestedMask, global };
  }
}
