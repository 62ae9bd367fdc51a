// Symbols for the debugger: the static symbol tables of the hypervisor's and the
// guests' ELF files (machine/elf.ts), each loaded for a world: the host (0), one
// guest by ASID, or every guest ('guest'). Names resolve to addresses (an image
// name qualifies: "g-dummy:kmain"), addresses to the nearest `symbol+0xoff`.
import { parseElf, type ElfImage } from '../machine/elf';
import { HOST, toAddr } from './world';

/** The worlds a symbol table applies to: the host (0), one ASID, or every guest. */
export type SymbolWorld = number | 'guest';

interface Space {
  name: string;
  world: SymbolWorld;
  elf: ElfImage;
  /** Added to the ELF's addresses (0 for images run where they were linked). */
  bias: number;
}

export interface ResolvedSymbol {
  address: number;
  world: SymbolWorld;
  image: string;
}

export class SymbolTable {
  private readonly spaces: Space[] = [];

  /** Load an ELF's symbols for a world (replaces an image of the same name). */
  load(name: string, elf: Uint8Array | ElfImage, world: SymbolWorld = HOST, bias = 0): void {
    const image = elf instanceof Uint8Array ? parseElf(elf) : elf;
    const k = this.spaces.findIndex((s) => s.name === name);
    const space = { name, world, elf: image, bias };
    if (k >= 0) this.spaces[k] = space;
    else this.spaces.push(space);
  }

  unload(name: string): void {
    const k = this.spaces.findIndex((s) => s.name === name);
    if (k >= 0) this.spaces.splice(k, 1);
  }

  images(): Array<{ name: string; world: SymbolWorld; symbols: number }> {
    return this.spaces.map((s) => ({ name: s.name, world: s.world, symbols: s.elf.symbols.length }));
  }

  /**
   * `sym`, `image:sym`, either with `+off`/`-off` (hex with 0x, else decimal), or a
   * plain number. `world` narrows an unqualified name to the images of that world.
   */
  resolve(expr: string, world?: number): ResolvedSymbol | undefined {
    const m = /^\s*(.*?)\s*(?:([+-])\s*(0x[0-9a-f]+|\d+))?\s*$/i.exec(expr);
    if (!m) return undefined;
    const [, base = '', sign, offText] = m;
    const off = offText === undefined ? 0 : (sign === '-' ? -1 : 1) * Number(offText);
    if (/^(0x[0-9a-f]+|\d+)$/i.test(base)) return { address: toAddr(BigInt(base)) + off, world: world ?? HOST, image: '' };
    const colon = base.lastIndexOf(':');
    const imageName = colon >= 0 ? base.slice(0, colon) : undefined;
    const name = colon >= 0 ? base.slice(colon + 1) : base;
    const candidates = this.spaces.filter((s) => (imageName === undefined ? world === undefined || matches(s.world, world) : s.name === imageName));
    for (const s of candidates) {
      const sym = s.elf.lookup(name);
      if (sym && sym.shndx !== 0) return { address: toAddr(sym.value) + s.bias + off, world: s.world, image: s.name };
    }
    return undefined;
  }

  /** `symbol+0xoff` for an address in a world (images for exactly that world first), or undefined. */
  describe(address: number, world: number): string | undefined {
    const exact = this.spaces.filter((s) => s.world === world);
    const wild = this.spaces.filter((s) => s.world !== world && matches(s.world, world));
    for (const s of [...exact, ...wild]) {
      const rel = address - s.bias;
      const m = s.elf.symbolAt(BigInt.asUintN(64, BigInt(rel)));
      if (m) return m.offset === 0n ? m.symbol.name : `${m.symbol.name}+0x${m.offset.toString(16)}`;
    }
    return undefined;
  }
}

function matches(sw: SymbolWorld, world: number): boolean {
  return sw === world || (sw === 'guest' && world !== HOST);
}
