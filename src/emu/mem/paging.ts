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
/** The permission an access needs, at [user * 3 + access]. */
const NEED = Uint8Array.of(R_S, W_S, X_S, R_U, W_U, X_U);

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
/** TLB index mask (the block compiler probes the TLB inline: jit/inline.ts). */
export const TLB_MASK = TLB_SIZE - 1;
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

/** walkInner's outcome: OK, NPF_MARK for a nested page fault (Mmu.npf*), or a #PF error code (>= 0). */
const NPF_MARK = -2;
const OK = -1;
const CR0_PG = 1 << 31;

/** Table names by level, for the debugger's page-walk view. */
const LONG_LEVELS = ['', 'PT', 'PD', 'PDPT', 'PML4'] as const;

/**
 * Nested translations (guest-physical page -> host-physical page) are cached
 * too, as the hardware's nested TLB does (APM §15.25.5): a guest walk reads
 * up to four guest table entries, each of which would otherwise need its own
 * four-level nested walk. Tagged by ASID and the N_CR3 that produced them.
 */
const NTLB_BITS = 8;
const NTLB_SIZE = 1 << NTLB_BITS;

export class Mmu {
  // The TLB, direct-mapped: linear page, (high half | ASID tag), host-physical page, permissions.
  // Public only so compiled blocks can probe it inline (jit/inline.ts paStmts); nothing else writes it.
  readonly tagLo = new Int32Array(TLB_SIZE);
  readonly tagHi = new Int32Array(TLB_SIZE).fill(INVALID_KEY);
  readonly phys = new Float64Array(TLB_SIZE);
  readonly perm = new Uint8Array(TLB_SIZE);
  private readonly global = new Uint8Array(TLB_SIZE);
  private readonly asidOf = new Uint16Array(TLB_SIZE);
  // The nested TLB (see NTLB_SIZE).
  private readonly nTagLo = new Int32Array(NTLB_SIZE);
  private readonly nTagHi = new Int32Array(NTLB_SIZE).fill(INVALID_KEY);
  private readonly nTagCr3 = new Int32Array(NTLB_SIZE);
  private readonly nPhys = new Float64Array(NTLB_SIZE);
  private readonly nPerm = new Uint8Array(NTLB_SIZE);
  /**
   * Moves whenever a translation kept outside the TLB may have gone stale: a walk (it may have
   * replaced an entry), a flush, a change of ASID or of nested paging. The CPU's loop keeps the
   * current code page's translation while it stays (Cpu.execute).
   */
  epoch = 0;

  /** The current ASID (0: the host) and its tag bits in the TLB key. */
  asid = 0;
  asidTag = 0;
  /**
   * Mixed into the TLB index so that the host and each guest, which often map
   * the same linear pages (kernels at 1 MiB), do not evict one another's
   * entries in the direct-mapped TLB on every world switch.
   */
  asidSalt = 0;

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

  // A successful walkInner's page, permissions and global bit (fields, so a walk allocates nothing).
  private wPage = 0;
  private wPerm = 0;
  private wGlobal = false;
  /** Host-physical addresses of the entries a walk used, to set their A bits after the checks. */
  private readonly wEntries = new Float64Array(4);
  private readonly e = new Int32Array(2);

  constructor(private readonly mem: PhysMem, private readonly ctl: PagingControl) {}

  /** Error code of the last failed translation (translate returned -1 and npf is false). */
  faultCode = 0;

  /**
   * Translate a linear address (lo, hi) for an access by `user` (CPL 3, not an
   * implicit supervisor access). Returns the physical address, or -1 with
   * faultCode set for a page fault (or npf set for a nested page fault).
   */
  translate(lo: number, hi: number, access: number, user: boolean): number {
    const idx = ((lo >>> 12) ^ this.asidSalt) & (TLB_SIZE - 1);
    const need = NEED[(user ? 3 : 0) + access]!;
    if (this.tagLo[idx] === (lo & ~0xfff) && this.tagHi[idx] === ((hi & 0x1ffff) | this.asidTag) && (this.perm[idx]! & need) === need) {
      return this.phys[idx]! + (lo & 0xfff);
    }
    return this.walk(lo, hi, access, user, idx);
  }

  /** Switch the TLB's current ASID (VMRUN, #VMEXIT). */
  setAsid(asid: number): void {
    this.epoch++;
    this.asid = asid & ASID_MASK;
    this.asidTag = this.asid << 17;
    this.asidSalt = this.asid === 0 ? 0 : Math.imul(this.asid, 0x9e3779b1) >>> (32 - TLB_BITS);
  }

  /** Nested paging on (with N_CR3 and the host's CR0/CR4/EFER at VMRUN) or off. */
  setNested(on: boolean, nCr3Lo = 0, nCr3Hi = 0, hostCr0 = 0, hostCr4 = 0, hostEfer = 0): void {
    this.epoch++;
    this.np = on;
    const n = this.nctl;
    n.cr3Lo = nCr3Lo; n.cr3Hi = nCr3Hi; n.cr0 = hostCr0; n.cr4 = hostCr4; n.efer = hostEfer;
  }

  /** Every ASID's entries (global ones kept when asked: a CR3 load). */
  flushAll(keepGlobal = false): void {
    this.epoch++;
    for (let k = 0; k < TLB_SIZE; k++) {
      if (keepGlobal && this.global[k]) continue;
      this.tagHi[k] = INVALID_KEY;
    }
    // A CR3 load changes the guest's (or host's) tables, not a nested table: nested entries stay then.
    if (!keepGlobal) this.nTagHi.fill(INVALID_KEY);
  }

  /** One ASID's entries (TLB_CONTROL 3 and 7, INVLPGA). */
  flushAsid(asid: number, keepGlobal = false): void {
    this.epoch++;
    const a = asid & ASID_MASK;
    for (let k = 0; k < TLB_SIZE; k++) {
      if (this.asidOf[k] !== a || (keepGlobal && this.global[k])) continue;
      this.tagHi[k] = INVALID_KEY;
    }
    if (!keepGlobal) {
      for (let k = 0; k < NTLB_SIZE; k++) if (this.nTagHi[k]! >>> 17 === a) this.nTagHi[k] = INVALID_KEY;
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

  /** Walk the page tables; on success fill the TLB entry idx. */
  private walk(lo: number, hi: number, access: number, user: boolean, idx: number): number {
    this.epoch++;
    this.npf = false;
    if ((this.ctl.cr0 & CR0_PG) === 0) {
      // Nested paging with guest paging off: the linear address is the guest-physical one.
      const hpa = this.nested(lo, hi, access, true, true);
      if (hpa < 0) {
        this.faultCode = 0;
        return -1;
      }
      this.wPage = hpa - (lo & 0xfff);
      this.wPerm = this.nestedPerm;
      this.wGlobal = false;
    } else {
      const r = this.walkInner(this.ctl, lo, hi, access, user, true, null, this.np);
      if (r !== OK) {
        this.faultCode = r === NPF_MARK ? 0 : r;
        return -1;
      }
    }
    this.tagLo[idx] = lo & ~0xfff;
    this.tagHi[idx] = (hi & 0x1ffff) | this.asidTag;
    this.asidOf[idx] = this.asid;
    this.phys[idx] = this.wPage;
    this.perm[idx] = this.wPerm;
    this.global[idx] = this.wGlobal ? 1 : 0;
    return this.wPage + (lo & 0xfff);
  }

  /**
   * Guest-physical -> host-physical through the nested table (a user access;
   * `final` says whether this is the access itself or a guest page-table entry).
   * Returns -1 and records the nested page fault (npf*) on failure.
   * Only walks that may update A/D bits (not the debugger's probes) use and
   * fill the nested TLB.
   */
  private nested(gpaLo: number, gpaHi: number, access: number, final: boolean, update: boolean): number {
    const n = this.nctl;
    const k = ((gpaLo >>> 12) ^ this.asidSalt) & (NTLB_SIZE - 1);
    const tagHi = (gpaHi & 0x1ffff) | this.asidTag;
    if (update && this.nTagLo[k] === (gpaLo & ~0xfff) && this.nTagHi[k] === tagHi && this.nTagCr3[k] === n.cr3Lo
      && (this.nPerm[k]! & NEED[3 + access]!) !== 0 /* nested accesses are user accesses */) {
      this.nestedPerm = this.nPerm[k]!;
      return this.nPhys[k]! + (gpaLo & 0xfff);
    }
    // (A guest walk sets its own wPage/wPerm only after its last nested call.)
    const r = this.walkInner(n, gpaLo | 0, gpaHi, access, true, update, null, false);
    const page = this.wPage, perm = this.wPerm;
    if (r !== OK) {
      this.npf = true;
      this.npfInfoLo = r | PF_U;
      this.npfInfoHi = final ? NPF_FINAL_HI : NPF_TABLE_HI;
      this.npfGpa = (gpaHi >>> 0) * 4294967296 + (gpaLo >>> 0);
      return -1;
    }
    // The nested table's user permissions bound both privilege levels of the guest.
    const p = ((perm & R_U) ? R_S | R_U : 0) | ((perm & W_U) ? W_S | W_U : 0) | ((perm & X_U) ? X_S | X_U : 0);
    this.nestedPerm = p;
    if (update) {
      this.nTagLo[k] = gpaLo & ~0xfff;
      this.nTagHi[k] = tagHi;
      this.nTagCr3[k] = n.cr3Lo;
      this.nPhys[k] = page;
      this.nPerm[k] = p;
    }
    return page + (gpaLo & 0xfff);
  }

  /** A guest page-table entry's address, through the nested table when nesting (-1: nested fault). */
  private tableAddr(gpa: number, nest: boolean, update: boolean): number {
    if (!nest) return gpa;
    return this.nested(gpa % 4294967296 | 0, Math.floor(gpa / 4294967296), WRITE, false, update);
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
      pa = this.np ? this.nested(lo, hi, READ, true, false) : hi === 0 ? lo >>> 0 : -1;
    } else {
      const r = this.walkInner(this.ctl, lo, hi, READ, false, false, steps, this.np);
      pa = r !== OK ? -1 : this.wPage + (lo & 0xfff);
    }
    [this.npf, this.npfInfoLo, this.npfInfoHi, this.npfGpa] = saved;
    return { pa, steps };
  }

  /**
   * The page walk of `c`'s paging mode for linear address (lo, hi). With `nest`,
   * every table address and the final page are guest-physical and go through
   * the nested table. Returns OK (wPage, wPerm, wGlobal set), a #PF error code,
   * or NPF_MARK for a nested failure. Allocates nothing unless `steps` is given.
   */
  private walkInner(c: PagingControl, lo: number, hi: number, access: number, user: boolean, update: boolean,
    steps: WalkStep[] | null, nest: boolean): number {
    const wp = (c.cr0 & (1 << 16)) !== 0;
    const nxe = (c.efer & (1 << 11)) !== 0;
    const pae = (c.cr4 & (1 << 5)) !== 0;
    const lma = (c.efer & (1 << 10)) !== 0;
    const errBase = (access === WRITE ? PF_W : 0) | (user ? PF_U : 0) | (access === EXEC && nxe ? PF_I : 0);
    let rw = 1, us = 1, nx = 0;
    const e = this.e;
    const ents = this.wEntries;
    let nEnts = 0;
    let page = 0, global = false, dirty = false, leafAddr = 0;

    if (lma || pae) {
      // 4-level (long mode) or 3-level PAE (legacy mode with CR4.PAE).
      let table: number;
      let level: number;
      if (lma) { table = (c.cr3Hi & 0xfffff) * 4294967296 + ((c.cr3Lo & ~0xfff) >>> 0); level = 4; }
      else { table = (c.cr3Lo & ~0x1f) >>> 0; level = 3; }
      for (;;) {
        // The 9-bit index of this level (2 bits for the legacy PAE PDPT).
        const index = level === 1 ? (lo >>> 12) & 511
          : level === 2 ? (lo >>> 21) & 511
          : level === 3 ? (lma ? ((lo >>> 30) | (hi << 2)) & 511 : lo >>> 30)
          : (hi >>> 7) & 511;
        const addr = table + index * 8;
        const ha = this.tableAddr(addr, nest, update);
        if (ha < 0) return NPF_MARK;
        e[0] = this.mem.read32(ha);
        e[1] = this.mem.read32(ha + 4);
        if (steps !== null) steps.push(walkStep(LONG_LEVELS[level]!, table, index, addr, e));
        if ((e[0]! & 1) === 0) return errBase;
        const legacyPdpte = !lma && level === 3;
        if (!legacyPdpte) {
          rw &= (e[0]! >> 1) & 1;
          us &= (e[0]! >> 2) & 1;
          if (nxe) nx |= e[1]! >>> 31;
          ents[nEnts++] = ha;
        }
        const next = (e[1]! & 0xfffff) * 4294967296 + ((e[0]! & ~0xfff) >>> 0);
        const ps = (e[0]! & 0x80) !== 0;
        if (level === 1 || (ps && (level === 2 || (level === 3 && lma)))) {
          if (level === 1) page = next;
          else {
            // A 2 MiB or 1 GiB page: the frame's base plus the address's bits below the page size.
            const pageSize = level === 2 ? 0x200000 : 0x40000000;
            const va = (hi & 0xffff) * 4294967296 + (lo >>> 0);
            page = next - (next % pageSize) + (va - (va % 4096)) % pageSize;
          }
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
      if (pdeAddr < 0) return NPF_MARK;
      const pde = this.mem.read32(pdeAddr);
      e[0] = pde; e[1] = 0;
      if (steps !== null) steps.push(walkStep('PD', pd, pdi, pd + pdi * 4, e));
      if ((pde & 1) === 0) return errBase;
      rw &= (pde >> 1) & 1;
      us &= (pde >> 2) & 1;
      ents[nEnts++] = pdeAddr;
      if ((pde & 0x80) !== 0 && (c.cr4 & (1 << 4)) !== 0) {
        page = ((pde & 0xffc00000) >>> 0) + (lo & 0x3ff000);
        global = (pde & 0x100) !== 0;
        dirty = (pde & 0x40) !== 0;
        leafAddr = pdeAddr;
      } else {
        const pt = (pde & ~0xfff) >>> 0;
        const pti = (lo >>> 12) & 0x3ff;
        const pteAddr = this.tableAddr(pt + pti * 4, nest, update);
        if (pteAddr < 0) return NPF_MARK;
        const pte = this.mem.read32(pteAddr);
        e[0] = pte; e[1] = 0;
        if (steps !== null) steps.push(walkStep('PT', pt, pti, pt + pti * 4, e));
        if ((pte & 1) === 0) return errBase;
        rw &= (pte >> 1) & 1;
        us &= (pte >> 2) & 1;
        ents[nEnts++] = pteAddr;
        page = (pte & ~0xfff) >>> 0;
        global = (pte & 0x100) !== 0;
        dirty = (pte & 0x40) !== 0;
        leafAddr = pteAddr;
      }
    }

    // Protection (APM Vol 2 §5.6).
    const prot = errBase | PF_P;
    if (user && !us) return prot;
    if (access === WRITE && !rw && (user || wp)) return prot;
    if (access === EXEC && nx) return prot;

    // The guest walk succeeded: the page itself goes through the nested table
    // (guest #PF first, then NPF: APM §15.25.6), before any A/D bit changes.
    let nestedMask = 0xff;
    if (nest) {
      const gpa = page + (lo & 0xfff); // EXITINFO2 is the exact guest-physical address
      const hpa = this.nested(gpa % 4294967296 | 0, Math.floor(gpa / 4294967296), access, true, update);
      if (hpa < 0) return NPF_MARK;
      page = hpa - (lo & 0xfff);
      nestedMask = this.nestedPerm;
    }

    if (update) {
      for (let k = 0; k < nEnts; k++) {
        const a = ents[k]!;
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
    this.wPage = page;
    this.wPerm = perm & nestedMask;
    this.wGlobal = global;
    return OK;
  }
}

/** A step of the debugger's page walk (the entry as a BigInt: only probes build these). */
function walkStep(level: string, tableAddr: number, index: number, entryAddr: number, e: Int32Array): WalkStep {
  return { level, tableAddr, index, entryAddr, entry: (BigInt(e[1]! >>> 0) << 32n) | BigInt(e[0]! >>> 0) };
}
