import { describe, expect, it } from "vitest";
import { CP437, VgaText } from "./vgatext";

function put(ram: Uint8Array, row: number, col: number, s: string, attr = 0x07) {
  for (let i = 0; i < s.length; i++) {
    const a = 0xb8000 + 2 * (row * 80 + col + i);
    ram[a] = s.charCodeAt(i); ram[a + 1] = attr;
  }
}

describe("VGA text mode", () => {
  it("has a complete CP437 table", () => {
    expect(CP437.length).toBe(256);
    expect(CP437[0x41]).toBe("A");
    expect(CP437[0xb3]).toBe("│");
    expect(CP437[0xdb]).toBe("█");
    expect(CP437[0x01]).toBe("☺");
    expect(CP437[0xe1]).toBe("ß");
  });

  it("renders the text buffer in RAM", () => {
    const ram = new Uint8Array(1 << 20);
    const vga = new VgaText(ram);
    put(ram, 0, 0, "Hello, HVMM");
    put(ram, 24, 75, "\xc9\xcd\xbb!", 0x1f);
    const t = vga.text();
    expect(t.length).toBe(25);
    expect(t.every((l) => l.length === 80)).toBe(true);
    expect(t[0]!.trimEnd()).toBe("Hello, HVMM");
    expect(t[24]!.slice(75)).toBe("╔═╗! ");
    expect(vga.cells()[24 * 80 + 75]).toBe(0x1fc9);
    ram[0xb8000] = 0x68; // cells() is a live view
    expect(vga.cells()[0]).toBe(0x0768);
  });

  it("follows the CRTC cursor and start address", () => {
    const ram = new Uint8Array(1 << 20);
    const vga = new VgaText(ram);
    const out = (p: number, v: number) => vga.ioWrite(p, 1, v);
    const pos = 5 * 80 + 17;
    out(0x3d4, 0x0f); out(0x3d5, pos & 0xff);
    out(0x3d4, 0x0e); out(0x3d5, pos >> 8);
    expect(vga.cursor()).toEqual({ row: 5, col: 17, visible: true });
    out(0x3d4, 0x0a); out(0x3d5, 0x20); // cursor off
    expect(vga.cursor().visible).toBe(false);
    out(0x3d4, 0x0a); out(0x3d5, 0x0e); out(0x3d4, 0x0b); out(0x3d5, 0x0f);
    expect(vga.cursor().visible).toBe(true);
    out(0x3d4, 0x0e);
    expect(vga.ioRead(0x3d5, 1)).toBe(pos >> 8);
    // scroll by start address: line 1 becomes the top line
    put(ram, 1, 0, "second");
    out(0x3d4, 0x0c); out(0x3d5, 0); out(0x3d4, 0x0d); out(0x3d5, 80);
    expect(vga.text()[0]!.trimEnd()).toBe("second");
    expect(vga.cursor()).toEqual({ row: 4, col: 17, visible: true });
    expect(vga.ioRead(0x3cc, 1)).toBe(0x67);
  });

  it("toggles retrace in input status 1 so wait loops finish", () => {
    const vga = new VgaText(new Uint8Array(1 << 20));
    let n = 0;
    while (vga.ioRead(0x3da, 1) & 8) n++;
    while (!(vga.ioRead(0x3da, 1) & 8)) n++;
    expect(n).toBeLessThan(4);
  });

  it("round-trips its state", () => {
    const vga = new VgaText(new Uint8Array(1 << 20));
    vga.ioWrite(0x3d4, 1, 0x0e); vga.ioWrite(0x3d5, 1, 3); vga.ioWrite(0x3c0, 1, 0x10); vga.ioWrite(0x3c0, 1, 0x04);
    const s = JSON.stringify(vga.saveState());
    const v2 = new VgaText(new Uint8Array(1 << 20));
    v2.loadState(JSON.parse(s));
    expect(JSON.stringify(v2.saveState())).toBe(s);
    expect(v2.blinkEnabled()).toBe(false);
  });
});
