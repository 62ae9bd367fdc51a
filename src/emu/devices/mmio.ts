// Memory-mapped device ranges in the physical address space outside RAM
// (DESIGN.md memory map: the local APIC's 4 KiB page at 0xFEE00000). Physical
// memory's slow path asks find(pa) for an address it does not back with RAM; a
// hit is dispatched with the offset into the region, a miss keeps the platform's
// "reads return all ones, writes are dropped" rule.

export interface MmioDevice {
  mmioRead(offset: number, size: 1 | 2 | 4): number;
  mmioWrite(offset: number, size: 1 | 2 | 4, value: number): void;
}

export interface MmioRegion { base: number; size: number; dev: MmioDevice }

export class MmioMap {
  private regions: MmioRegion[] = [];
  /** Lowest base of any region (Infinity when empty): a cheap first test for the slow path. */
  lowest = Infinity;

  register(base: number, size: number, dev: MmioDevice): void {
    if (!(size > 0) || base < 0) throw new Error(`bad MMIO range 0x${base.toString(16)}+0x${size.toString(16)}`);
    for (const r of this.regions) {
      if (base < r.base + r.size && r.base < base + size) throw new Error(`MMIO range 0x${base.toString(16)} overlaps 0x${r.base.toString(16)}`);
    }
    this.regions.push({ base, size, dev });
    this.regions.sort((a, b) => a.base - b.base);
    this.lowest = this.regions[0]!.base;
  }

  /** Remove every region served by dev (e.g. when the APIC base MSR moves it). */
  unregister(dev: MmioDevice): void {
    this.regions = this.regions.filter((r) => r.dev !== dev);
    this.lowest = this.regions.length ? this.regions[0]!.base : Infinity;
  }

  /** The region containing physical address pa, if any. */
  find(pa: number): MmioRegion | undefined {
    if (pa < this.lowest) return undefined;
    for (const r of this.regions) if (pa >= r.base && pa < r.base + r.size) return r;
    return undefined;
  }

  /** Read through the map; all ones when no device decodes pa. */
  read(pa: number, size: 1 | 2 | 4): number {
    const r = this.find(pa);
    if (!r) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    return r.dev.mmioRead(pa - r.base, size);
  }

  /** Write through the map; returns false (write dropped) when no device decodes pa. */
  write(pa: number, size: 1 | 2 | 4, value: number): boolean {
    const r = this.find(pa);
    if (!r) return false;
    r.dev.mmioWrite(pa - r.base, size, value);
    return true;
  }

  list(): readonly MmioRegion[] { return this.regions; }
}
