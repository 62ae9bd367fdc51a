// VGA text mode for xterm.js: CP437 glyphs and the 16 VGA colours. A screen is
// 25 rows of 80 cells, each `char | attr << 8` (attr: fg low nibble, bg bits 4-6,
// bit 7 blink — shown as a bright background, as many BIOSes configure it).

/** CP437 code point → Unicode, all 256 (0x00-0x1F are the graphical glyphs, as on screen). */
export const CP437: readonly string[] = Array.from(
  '\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼' +
    ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
    'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
    'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
);

/** The 16 VGA palette colours (standard BIOS DAC values), as [r, g, b]. */
export const VGA_RGB: ReadonlyArray<readonly [number, number, number]> = [
  [0x00, 0x00, 0x00], [0x00, 0x00, 0xaa], [0x00, 0xaa, 0x00], [0x00, 0xaa, 0xaa],
  [0xaa, 0x00, 0x00], [0xaa, 0x00, 0xaa], [0xaa, 0x55, 0x00], [0xaa, 0xaa, 0xaa],
  [0x55, 0x55, 0x55], [0x55, 0x55, 0xff], [0x55, 0xff, 0x55], [0x55, 0xff, 0xff],
  [0xff, 0x55, 0x55], [0xff, 0x55, 0xff], [0xff, 0xff, 0x55], [0xff, 0xff, 0xff],
];

/** The glyph for a cell's character byte (NUL shows as a space). */
export const glyph = (ch: number): string => (ch === 0 ? ' ' : CP437[ch & 0xff]!);

/**
 * An ANSI string that brings a terminal showing `prev` to `cells`: only the rows that
 * differ, each from its first column with an explicit colour (24-bit escapes again only
 * where the attribute changes), or every row when there is no `prev`. '' when nothing
 * changed. A running guest usually rewrites a line or two of its screen: xterm then
 * parses and re-renders those rows only (the page's main thread is shared with five
 * consoles and the emulator's other panels).
 */
export function screenToAnsi(cells: ArrayLike<number>, prev: ArrayLike<number> | null = null, cols = 80, rows = 25): string {
  let out = '';
  for (let r = 0; r < rows; r++) {
    const from = r * cols;
    if (prev !== null) {
      let same = true;
      for (let c = 0; c < cols; c++) if ((cells[from + c] ?? 0x0720) !== (prev[from + c] ?? 0x0720)) { same = false; break; }
      if (same) continue;
    }
    out += `\x1b[${r + 1};1H`;
    let last = -1;
    for (let c = 0; c < cols; c++) {
      const v = cells[from + c] ?? 0x0720;
      const attr = (v >> 8) & 0xff;
      if (attr !== last) {
        const [fr, fg, fb] = VGA_RGB[attr & 0x0f]!;
        const [br, bg, bb] = VGA_RGB[(attr >> 4) & 0x0f]!;
        out += `\x1b[38;2;${fr};${fg};${fb};48;2;${br};${bg};${bb}m`;
        last = attr;
      }
      out += glyph(v & 0xff);
    }
  }
  return out === '' ? '' : out + '\x1b[0m';
}

/** The screen as plain text lines (trailing blanks trimmed): for tests and copy/paste. */
export function screenToText(cells: ArrayLike<number>, cols = 80, rows = 25): string {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < cols; c++) line += glyph((cells[r * cols + c] ?? 0x20) & 0xff);
    lines.push(line.replace(/[\s\u00a0]+$/, ''));
  }
  return lines.join('\n').replace(/\n+$/, '');
}
