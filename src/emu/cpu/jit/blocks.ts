// The block compiler: runs of decoded instructions on one 4 KiB physical code
// page, translated into JavaScript functions (new Function) and cached per page.
//
// A block starts at a physical address in a code mode (32 or 64; 16-bit code is
// always interpreted) and runs straight-line instructions up to a control
// transfer or another instruction that ends blocks (classify.ts), the page end
// or a length cap. A forward conditional jump to the same page does not end it:
// the block runs on when the jump is not taken and leaves when it is (sideExit).
// Its code does, per instruction, exactly what the interpreter loop (Cpu.execute)
// does: set startLo/startHi and the next RIP, call the bound handler, count the
// instruction and its cycles. Between
// instructions it checks what the interpreter checks (a pending interrupt, a
// stop request) and leaves when anything it relies on may have changed: a write
// to its own page (the page's blocks are dropped with the decoded-instruction
// cache's entries), a page walk or TLB flush (the fetch translation could
// differ), RIP not where straight-line execution puts it. An exception thrown by
// instruction k leaves the block with RIP, startLo/startHi, instructions and
// cycles exactly as the interpreter would have them, and the CPU's loop delivers
// it the same way.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { decode, type ByteSource } from '../decode';
import { bindHandler } from '../exec/table';
import { PAGE_SHIFT, type PhysMem } from '../../mem/phys';
import { settleMutableFields } from '../mutable-fields';
import { classify, keepsContext, Kind } from './classify';
import { generate, sideExit, type BlockFn } from './block-source';

/**
 * A compiled block. run(cpu) returns how many of its instructions it executed
 * (each counts against the run's budget, as in the interpreter: a REP chunk that
 * restarts itself does not add to cpu.instructions but uses budget), negated
 * when it left because it delivered an interrupt after them.
 */
export interface Block {
  readonly mode: number;
  /** Instructions in the block (the most it can execute). */
  readonly n: number;
  /**
   * Run it with `left` instructions of budget (at least n) and P its page; a block that jumps back
   * to its own start repeats while a whole pass fits.
   */
  readonly run: BlockFn;
  /**
   * Its last instruction cannot change the mode, CPL, paging, CS base or world, nor halt: it is a
   * near jump, call or return, or the block was cut short before an instruction that ends blocks.
   * (An exception, an interrupt or a #VMEXIT leaves the CPU's chaining loop another way.)
   */
  readonly near: boolean;
}

/** Blocks of one physical page, by page offset; dropped as a whole when the page is written. */
export class BlockPage {
  readonly entries: Array<Block | null | undefined> = new Array<Block | null | undefined>(4096).fill(undefined);
  /** Interpreted visits per offset until the entry is compiled, counted within one stay in a world (heatEpoch). */
  readonly heat = new Uint8Array(4096);
  /** The world-switch count (BlockCache.get) when heat[off] was last counted. */
  readonly heatEpoch = new Uint32Array(4096);
  /** Set when the page was written (or the cache cleared): running blocks of this page leave. */
  dead = false;

  constructor() {
    settleMutableFields(this); // dead is first set long after blocks read it (mutable-fields.ts)
  }
}

/** Thrown by the compiler's byte source when an instruction would cross the page end. */
const CROSSES = { crosses: true };

export interface BlockOptions {
  /** Interpreted visits of an address before a block is compiled there (1: at once; at most 255). */
  threshold: number;
  /** Most instructions in one block. */
  maxInsns: number;
  /** Inline the hottest instruction forms instead of calling their handlers. */
  inline: boolean;
}

export const DEFAULT_BLOCK_OPTIONS: BlockOptions = { threshold: 4, maxInsns: 64, inline: true };

export class BlockCache {
  readonly pages: Array<BlockPage | undefined>;
  readonly opts: BlockOptions;
  // Statistics.
  compiled = 0;
  invalidations = 0;
  compileMs = 0;

  constructor(private readonly cpu: Cpu, opts: Partial<BlockOptions> = {}) {
    this.opts = { ...DEFAULT_BLOCK_OPTIONS, ...opts };
    const ic = cpu.icache;
    this.pages = new Array<BlockPage | undefined>(ic.pages.length).fill(undefined);
    // Blocks go wherever the decoded instructions of their page go: a write to the
    // page (PhysMem.onCodeWrite calls invalidatePage) and icache.clear() both
    // drop them. The instance property shadows the class method for both paths.
    const drop = ic.invalidatePage.bind(ic);
    ic.invalidatePage = (pn: number): void => {
      drop(pn);
      this.dropPage(pn);
    };
  }

  dropPage(pn: number): void {
    const p = this.pages[pn];
    if (p === undefined) return;
    p.dead = true;
    this.pages[pn] = undefined;
    this.invalidations++;
  }

  /** Drop every block (the decoded-instruction cache keeps its entries). */
  clear(): void {
    for (let pn = 0; pn < this.pages.length; pn++) this.dropPage(pn);
  }

  /**
   * The block at physical address pa for this mode, or null: counts a visit and
   * compiles the block once the address is hot. pa must be the translation of
   * the current RIP (the CPU loop has just made it). Kept small, the rest in visit:
   * V8 inlines this into the CPU's loop, whose inlining budget the handlers need too.
   */
  get(pa: number, mode: number): Block | null {
    const p = this.pages[pa >>> PAGE_SHIFT];
    if (p !== undefined) {
      const b = p.entries[pa & 0xfff];
      if (b === null) return null;
      if (b !== undefined && b.mode === mode) return b;
    }
    return this.visit(pa, mode);
  }

  /** get's other cases: a page without blocks yet, and an address without a block for this mode. */
  private visit(pa: number, mode: number): Block | null {
    const pn = pa >>> PAGE_SHIFT;
    let p = this.pages[pn];
    if (p === undefined) {
      if (pn >= this.pages.length || mode === 16) return null;
      p = new BlockPage();
      this.pages[pn] = p;
    }
    const off = pa & 0xfff;
    if (mode === 16) return null;
    // Heat counts visits since the last world switch: a hypervisor's switch path, run once per
    // #VMEXIT, stays interpreted (a block run a few times per switch never leaves V8's slow tiers,
    // measured ~2x slower per exit), while loops in either world compile.
    const svm = this.cpu.svm;
    const epoch = (svm.exits + svm.vmruns) >>> 0;
    const h = p.heatEpoch[off] === epoch ? p.heat[off]! + 1 : 1;
    p.heatEpoch[off] = epoch;
    if (h < Math.min(this.opts.threshold, 255)) {
      p.heat[off] = h;
      return null;
    }
    p.heat[off] = 0;
    const nb = this.compile(p, pa, mode);
    // compile() may have dropped and replaced nothing: it only reads memory and fills the icache.
    p.entries[off] = nb;
    return nb;
  }

  /** Decode the run of instructions at pa (through the decoded-instruction cache) and compile it. */
  private compile(p: BlockPage, pa: number, mode: number): Block | null {
    const t0 = performance.now();
    const mem = this.cpu.mem;
    const ic = this.cpu.icache;
    const base = pa & ~0xfff;
    let off = pa & 0xfff;
    const insns: Insn[] = [];
    const src: ByteSource = {
      byte: (o: number): number => {
        const a = off + o;
        if (a >= 4096) throw CROSSES;
        return mem.u8[base + a]!;
      },
    };
    while (insns.length < this.opts.maxInsns && off < 4096) {
      let i = ic.lookup(base + off, mode);
      if (i === undefined) {
        try {
          i = decode(src, mode);
        } catch (e) {
          if (e === CROSSES) break;
          throw e;
        }
        if (off + i.len > 4096) break;
        bindHandler(i);
        ic.insert(base + off, i);
      }
      insns.push(i);
      const at = off - (pa & 0xfff);
      off += i.len;
      if (classify(i) === Kind.End && !(this.opts.inline && sideExit(i, mode, pa & 0xfff, at))) break;
    }
    if (insns.length === 0) return null;
    const near = keepsContext(insns[insns.length - 1]!);
    const bytes = mem.u8.subarray(pa, base + off).join(',');
    const b: Block = { mode, n: insns.length, run: generate(insns, mode, pa & 0xfff, this.opts.inline, bytes), near };
    this.compiled++;
    this.compileMs += performance.now() - t0;
    return b;
  }
}
