// screenToAnsi against a real terminal (xterm.js's headless build, the same parser
// and buffer the page's consoles use): a screen written whole, then brought to
// another with only its changed rows, must show exactly what writing the other
// screen whole shows: glyphs and both colours of every cell.
import { describe, expect, it } from 'vitest';
import { Terminal } from '@xterm/headless';
import { glyph, screenToAnsi, VGA_RGB } from './vga';

function term(): Terminal {
  return new Terminal({ cols: 80, rows: 25, scrollback: 0, allowProposedApi: true });
}
const write = (t: Terminal, s: string) => new Promise<void>((r) => t.write(s, r));

/** Every cell as "glyph fg bg" (24-bit colours as the terminal holds them). */
function cellsOf(t: Terminal): string[] {
  const b = t.buffer.active;
  const out: string[] = [];
  const cell = b.getNullCell();
  for (let y = 0; y < 25; y++) {
    const line = b.getLine(b.viewportY + y)!;
    for (let x = 0; x < 80; x++) {
      line.getCell(x, cell);
      out.push(`${cell.getChars() || ' '} ${cell.getFgColor()} ${cell.getBgColor()}`);
    }
  }
  return out;
}

/** A deterministic pseudo-random generator (xorshift32): the same screens every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}
const rgb = (k: number) => (VGA_RGB[k]![0] << 16) | (VGA_RGB[k]![1] << 8) | VGA_RGB[k]![2];

describe('screenToAnsi', () => {
  it('a whole screen shows each cell\'s CP437 glyph and VGA colours', async () => {
    const t = term();
    const cells = new Uint16Array(2000);
    for (let k = 0; k < 2000; k++) cells[k] = ((k * 7) & 0xff) | (((k * 13) & 0x7f) << 8);
    await write(t, screenToAnsi(cells));
    const got = cellsOf(t);
    for (const k of [0, 1, 79, 80, 1234, 1999]) {
      const v = cells[k]!;
      expect(got[k]).toBe(`${glyph(v & 0xff).trim() === '' ? ' ' : glyph(v & 0xff)} ${rgb((v >> 8) & 15)} ${rgb((v >> 12) & 7)}`);
    }
  });

  it('writing only the changed rows gives the same terminal as writing the new screen whole', async () => {
    const next = rng(42);
    for (let round = 0; round < 40; round++) {
      const a = new Uint16Array(2000);
      for (let k = 0; k < 2000; k++) a[k] = next() & 0x7fff;
      const b = a.slice();
      // change a few rows, sometimes none, sometimes only one cell's colour
      const changes = next() % 4;
      for (let n = 0; n < changes; n++) {
        const row = next() % 25;
        if (next() % 2) b[row * 80 + (next() % 80)] ^= 0x0100;
        else for (let c = 0; c < 80; c++) b[row * 80 + c] = next() & 0x7fff;
      }
      const diff = screenToAnsi(b, a);
      const rowsChanged = Array.from({ length: 25 }, (_, r) => r).filter((r) => b.subarray(r * 80, r * 80 + 80).some((v, c) => v !== a[r * 80 + c]));
      expect(diff === '').toBe(rowsChanged.length === 0);
      const t1 = term(), t2 = term();
      await write(t1, screenToAnsi(a));
      await write(t1, diff);
      await write(t2, screenToAnsi(b));
      expect(cellsOf(t1)).toEqual(cellsOf(t2));
      t1.dispose(); t2.dispose();
    }
  });
});
