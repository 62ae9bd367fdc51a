// Decoded-instruction cache: decode once per physical instruction address.
// Entries live per 4 KiB physical page; a write to a page that holds decoded
// instructions drops that page's entries (self-modifying code stays exact).
// Instructions that cross a page boundary are never cached, so a change in
// the second page's mapping can never leave a stale entry.
import { CODE_PAGE, PAGE_SHIFT, type PhysMem } from '../mem/phys';
import type { Insn } from './insn';

export class DecodedCache {
  /** Per physical page: decoded instructions by page offset (preallocated: fast elements). */
  readonly pages: Array<Array<Insn | undefined> | undefined>;
  hits = 0;
  misses = 0;
  invalidations = 0;

  constructor(private readonly mem: PhysMem) {
    this.pages = new Array<Array<Insn | undefined> | undefined>(mem.codePage.length).fill(undefined);
    mem.onCodeWrite = (page) => this.invalidatePage(page);
  }

  lookup(pa: number, mode: number): Insn | undefined {
    const page = this.pages[pa >>> PAGE_SHIFT];
    if (page === undefined) return undefined;
    const i = page[pa & 0xfff];
    return i !== undefined && i.mode === mode ? i : undefined;
  }

  /** Cache insn at pa; false when it is not cached (it crosses into the next page, or is not in RAM). */
  insert(pa: number, insn: Insn): boolean {
    const off = pa & 0xfff;
    if (off + insn.len > 4096 || pa >= this.mem.size) return false;
    const pn = pa >>> PAGE_SHIFT;
    let page = this.pages[pn];
    if (page === undefined) {
      page = new Array<Insn | undefined>(4096).fill(undefined);
      this.pages[pn] = page;
      this.mem.codePage[pn] |= CODE_PAGE;
    }
    page[off] = insn;
    return true;
  }

  /**
   * Drop a page's instructions. Each is marked (mode 0) as well, since the interpreter reaches
   * instructions through Insn.next links too, which may come from another page.
   */
  invalidatePage(pn: number): void {
    const page = this.pages[pn];
    if (page !== undefined) for (const i of page) if (i !== undefined) i.mode = 0;
    this.pages[pn] = undefined;
    this.mem.codePage[pn] &= ~CODE_PAGE;
    this.invalidations++;
  }

  clear(): void {
    for (let pn = 0; pn < this.pages.length; pn++) if (this.pages[pn]) this.invalidatePage(pn);
  }
}
