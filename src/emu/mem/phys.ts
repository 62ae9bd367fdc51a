// Physical memory: RAM from address 0, little-endian. Reads outside RAM return
// all ones and writes there are dropped (DESIGN.md, memory map). MMIO regions
// arrive with the devices; this module stays the single path to RAM so the
// decoded-instruction cache can see every write to a code page.

export const PAGE_SHIFT = 12;
/** codePage flags. */
export const CODE_PAGE = 1, WATCH_PAGE = 2;

export class PhysMem {
  readonly size: number;
  readonly buffer: ArrayBufferLike;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly dv: DataView;
  /**
   * Per 4 KiB page: CODE_PAGE when it holds decoded instructions (a write there
   * invalidates them), WATCH_PAGE when a debugger watchpoint covers part of it.
   * One byte per page, so an ordinary write pays a single check.
   */
  readonly codePage: Uint8Array;
  onCodeWrite: (page: number) => void = () => {};
  /** Called for writes to WATCH_PAGE pages (the debugger filters by range). */
  onWatchedWrite: ((pa: number, size: number) => void) | null = null;
  /** Device registers above RAM (the local APIC): accesses outside RAM go here first. */
  mmio: { read(pa: number, size: 1 | 2 | 4): number; write(pa: number, size: 1 | 2 | 4, v: number): boolean } | null = null;

  constructor(sizeBytes: number, buffer?: ArrayBufferLike) {
    if (sizeBytes <= 0 || sizeBytes % 4096 !== 0) throw new Error(`RAM size must be a positive multiple of 4 KiB, got ${sizeBytes}`);
    this.size = sizeBytes;
    this.buffer = buffer ?? new ArrayBuffer(sizeBytes);
    this.u8 = new Uint8Array(this.buffer, 0, sizeBytes);
    this.i32 = new Int32Array(this.buffer, 0, sizeBytes >> 2);
    this.dv = new DataView(this.buffer, 0, sizeBytes);
    this.codePage = new Uint8Array(sizeBytes >>> PAGE_SHIFT);
  }

  read8(pa: number): number {
    if (pa < this.size) return this.u8[pa]!;
    return this.mmio ? this.mmio.read(pa, 1) & 0xff : 0xff;
  }
  read16(pa: number): number {
    if (pa + 1 < this.size) return this.dv.getUint16(pa, true);
    if (pa >= this.size && this.mmio) return this.mmio.read(pa, 2) & 0xffff;
    return this.read8(pa) | (this.read8(pa + 1) << 8);
  }
  read32(pa: number): number {
    if (pa + 3 < this.size) return (pa & 3) === 0 ? this.i32[pa >>> 2]! : this.dv.getInt32(pa, true);
    if (pa >= this.size && this.mmio) return this.mmio.read(pa, 4) | 0;
    return this.read8(pa) | (this.read8(pa + 1) << 8) | (this.read8(pa + 2) << 16) | (this.read8(pa + 3) << 24);
  }

  write8(pa: number, v: number): void {
    if (pa < this.size) {
      this.u8[pa] = v;
      if (this.codePage[pa >>> PAGE_SHIFT]) this.codeWrite(pa, 1);
    } else if (this.mmio) {
      this.mmio.write(pa, 1, v & 0xff);
    }
  }
  write16(pa: number, v: number): void {
    if (pa + 1 < this.size) {
      this.dv.setUint16(pa, v, true);
      if (this.codePage[pa >>> PAGE_SHIFT] || this.codePage[(pa + 1) >>> PAGE_SHIFT]) this.codeWrite(pa, 2);
    } else if (pa >= this.size && this.mmio) {
      this.mmio.write(pa, 2, v & 0xffff);
    } else {
      this.write8(pa, v);
      this.write8(pa + 1, v >> 8);
    }
  }
  write32(pa: number, v: number): void {
    if (pa + 3 < this.size) {
      if ((pa & 3) === 0) this.i32[pa >>> 2] = v;
      else this.dv.setInt32(pa, v, true);
      if (this.codePage[pa >>> PAGE_SHIFT] || this.codePage[(pa + 3) >>> PAGE_SHIFT]) this.codeWrite(pa, 4);
    } else if (pa >= this.size && this.mmio) {
      this.mmio.write(pa, 4, v);
    } else {
      for (let k = 0; k < 4; k++) this.write8(pa + k, v >> (8 * k));
    }
  }

  private codeWrite(pa: number, n: number): void {
    const first = pa >>> PAGE_SHIFT;
    const last = (pa + n - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) {
      const f = this.codePage[p]!;
      if (f & CODE_PAGE) this.onCodeWrite(p);
      if (f & WATCH_PAGE && this.onWatchedWrite) this.onWatchedWrite(pa, n);
    }
  }

  /** Copy bytes into RAM (loaders); bytes beyond RAM are dropped. */
  load(pa: number, bytes: Uint8Array): void {
    const n = Math.max(0, Math.min(bytes.length, this.size - pa));
    this.u8.set(bytes.subarray(0, n), pa);
    for (let p = pa >>> PAGE_SHIFT; p <= (pa + n) >>> PAGE_SHIFT && p < this.codePage.length; p++) {
      if (this.codePage[p]! & CODE_PAGE) this.onCodeWrite(p);
    }
  }
}
