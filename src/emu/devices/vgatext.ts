// VGA in 80x25 colour text mode (BIOS mode 3), as a display of RAM.
//
// The text buffer at physical 0xB8000 is ordinary RAM here (the platform maps RAM under
// it): cell i is the little-endian word char | attr << 8 at 0xB8000 + 2*i. The device
// only reads that RAM and models the registers text-mode drivers touch (IBM VGA
// Technical Reference / FreeVGA):
//   0x3D4/0x3D5  CRTC index/data (mono aliases 0x3B4/0x3B5 are not decoded). Registers
//                0x00-0x18 start with the mode 3 values. 0x0A cursor start (b5 = cursor off),
//                0x0B cursor end, 0x0C/0x0D start address (in cells), 0x0E/0x0F cursor location.
//                The cursor is shown when b5 of 0x0A is clear and start <= end scan line.
//   0x3C2 W / 0x3CC R  miscellaneous output (0x67 in mode 3: colour I/O at 0x3Dx).
//   0x3DA R      input status 1: b0 display disabled, b3 vertical retrace. The device is not
//                clocked, so both bits toggle on every read; loops of the form "wait while in
//                retrace, then wait for retrace" finish deterministically. The read also
//                resets the attribute controller flip-flop, as on hardware.
//   0x3C0/0x3C1  attribute controller (index/data flip-flop), 0x3C4/0x3C5 sequencer,
//                0x3CE/0x3CF graphics controller: stored and read back, no effect on text().
// text() maps CP437 to Unicode (printable ASCII unchanged, 0x00 as a space, the rest to the
// standard CP437 glyph equivalents).

const COLS = 80;
const ROWS = 25;
const CELLS = COLS * ROWS;
const WINDOW_CELLS = 0x4000; // 32 KiB text window 0xB8000-0xBFFFF

const CRTC_MODE3 = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00,
  0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];

/** CP437 to Unicode for all 256 byte values (0x00 maps to a space). */
export const CP437: readonly string[] = Array.from(
  " ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼" +
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂" +
    "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»" +
    "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
    "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0",
);

/** 25 lines of 80 characters from a text page's bytes (char, attribute pairs): e.g. a guest's private screen. */
export function decodeTextPage(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let r = 0; r < ROWS; r++) {
    let s = '';
    for (let k = 0; k < COLS; k++) s += CP437[bytes[2 * (r * COLS + k)]! & 0xff]!;
    lines.push(s);
  }
  return lines;
}

export interface VgaTextState {
  crtcIndex: number; crtc: number[]; misc: number; status: number;
  attrIndex: number; attrFlip: boolean; attr: number[]; seqIndex: number; seq: number[]; gcIndex: number; gc: number[];
}

export class VgaText {
  readonly ioByteWide = true;
  private readonly words: Uint16Array | null;
  private crtcIndex = 0;
  private crtc = Uint8Array.from(CRTC_MODE3);
  private misc = 0x67;
  private status = 0;
  private attrIndex = 0;
  private attrFlip = false;
  private attr = new Uint8Array(0x15);
  private seqIndex = 0;
  private seq = Uint8Array.from([0x03, 0x00, 0x03, 0x00, 0x02]);
  private gcIndex = 0;
  private gc = Uint8Array.from([0, 0, 0, 0, 0, 0x10, 0x0e, 0, 0xff]);

  /** `ram` is a view of physical memory from address 0 (e.g. PhysMem.u8). */
  constructor(private readonly ram: Uint8Array, readonly base = 0xb8000) {
    const off = ram.byteOffset + base;
    this.words = base + WINDOW_CELLS * 2 <= ram.length && off % 2 === 0
      ? new Uint16Array(ram.buffer, off, WINDOW_CELLS)
      : null;
    for (let i = 0; i < 0x10; i++) this.attr[i] = i < 6 ? i : i === 6 ? 0x14 : i < 8 ? 7 : i + 0x30;
    this.attr[0x10] = 0x0c; this.attr[0x12] = 0x0f; this.attr[0x13] = 0x08;
  }

  /** Start address (in cells) of the displayed page, from CRTC 0x0C/0x0D. */
  startAddress(): number { return ((this.crtc[0x0c]! << 8) | this.crtc[0x0d]!) & (WINDOW_CELLS - 1); }

  /**
   * The 2000 displayed cells (char | attr << 8). A live view of RAM when the page does not
   * wrap around the 32 KiB window, else a copy.
   */
  cells(): Uint16Array {
    const start = this.startAddress();
    if (this.words && start + CELLS <= WINDOW_CELLS) return this.words.subarray(start, start + CELLS);
    const out = new Uint16Array(CELLS);
    for (let i = 0; i < CELLS; i++) {
      const a = this.base + 2 * ((start + i) & (WINDOW_CELLS - 1));
      out[i] = a + 1 < this.ram.length ? this.ram[a]! | (this.ram[a + 1]! << 8) : 0xffff;
    }
    return out;
  }

  /** 25 lines of 80 characters. */
  text(): string[] {
    const c = this.cells();
    const lines: string[] = [];
    for (let r = 0; r < ROWS; r++) {
      let s = "";
      for (let k = 0; k < COLS; k++) s += CP437[c[r * COLS + k]! & 0xff]!;
      lines.push(s);
    }
    return lines;
  }

  /** Cursor position relative to the displayed page; invisible when disabled or off-screen. */
  cursor(): { row: number; col: number; visible: boolean } {
    const loc = (((this.crtc[0x0e]! << 8) | this.crtc[0x0f]!) - this.startAddress()) & 0xffff;
    const row = Math.floor(loc / COLS);
    const col = loc % COLS;
    const cs = this.crtc[0x0a]!;
    const visible = !(cs & 0x20) && (cs & 0x1f) <= (this.crtc[0x0b]! & 0x1f) && loc < CELLS;
    return { row, col, visible };
  }

  /** Attribute mode control b3: attribute bit 7 means blink (true) or bright background. */
  blinkEnabled(): boolean { return (this.attr[0x10]! & 8) !== 0; }

  crtcRegister(i: number): number { return this.crtc[i] ?? 0; }

  ioRead(port: number, _size: number): number {
    switch (port) {
      case 0x3d4: return this.crtcIndex;
      case 0x3d5: return this.crtcIndex < this.crtc.length ? this.crtc[this.crtcIndex]! : 0xff;
      case 0x3cc: return this.misc;
      case 0x3da:
        this.attrFlip = false;
        this.status ^= 0x09;
        return this.status;
      case 0x3c0: return this.attrIndex;
      case 0x3c1: return this.attr[this.attrIndex & 0x1f] ?? 0;
      case 0x3c4: return this.seqIndex;
      case 0x3c5: return this.seq[this.seqIndex] ?? 0xff;
      case 0x3ce: return this.gcIndex;
      case 0x3cf: return this.gc[this.gcIndex] ?? 0xff;
      default: return 0xff;
    }
  }

  ioWrite(port: number, _size: number, value: number): void {
    value &= 0xff;
    switch (port) {
      case 0x3d4: this.crtcIndex = value; return;
      case 0x3d5:
        if (this.crtcIndex < this.crtc.length) {
          // CRTC 0x11 b7 write-protects registers 0-7 (except 7's line-compare bit 4).
          if (this.crtcIndex < 8 && (this.crtc[0x11]! & 0x80)) {
            if (this.crtcIndex === 7) this.crtc[7] = (this.crtc[7]! & ~0x10) | (value & 0x10);
            return;
          }
          this.crtc[this.crtcIndex] = value;
        }
        return;
      case 0x3c2: this.misc = value; return;
      case 0x3c0:
        if (!this.attrFlip) this.attrIndex = value & 0x3f;
        else if ((this.attrIndex & 0x1f) < this.attr.length) this.attr[this.attrIndex & 0x1f] = value;
        this.attrFlip = !this.attrFlip;
        return;
      case 0x3c4: this.seqIndex = value; return;
      case 0x3c5: if (this.seqIndex < this.seq.length) this.seq[this.seqIndex] = value; return;
      case 0x3ce: this.gcIndex = value; return;
      case 0x3cf: if (this.gcIndex < this.gc.length) this.gc[this.gcIndex] = value; return;
      default: return;
    }
  }

  saveState(): VgaTextState {
    return {
      crtcIndex: this.crtcIndex, crtc: Array.from(this.crtc), misc: this.misc, status: this.status,
      attrIndex: this.attrIndex, attrFlip: this.attrFlip, attr: Array.from(this.attr),
      seqIndex: this.seqIndex, seq: Array.from(this.seq), gcIndex: this.gcIndex, gc: Array.from(this.gc),
    };
  }

  loadState(s: VgaTextState): void {
    this.crtcIndex = s.crtcIndex & 0xff; this.crtc.set(s.crtc.slice(0, this.crtc.length));
    this.misc = s.misc & 0xff; this.status = s.status & 0x09;
    this.attrIndex = s.attrIndex & 0x3f; this.attrFlip = !!s.attrFlip; this.attr.set(s.attr.slice(0, this.attr.length));
    this.seqIndex = s.seqIndex & 0xff; this.seq.set(s.seq.slice(0, this.seq.length));
    this.gcIndex = s.gcIndex & 0xff; this.gc.set(s.gc.slice(0, this.gc.length));
  }
}
