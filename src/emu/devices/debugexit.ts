// QEMU's isa-debug-exit device (hw/misc/debugexit.c), here at port 0xF4 with a 4-byte
// window (QEMU: -device isa-debug-exit,iobase=0xf4,iosize=0x04). Any write of value v to
// the window makes QEMU exit with status (v << 1) | 1; here it calls onExit with that code
// (computed without 32-bit overflow) and the machine stops. Reads return all ones.

export interface DebugExitState { lastCode: number | null }

export class DebugExit {
  onExit: (code: number) => void = () => {};
  /** The exit code of the last write, or null. */
  lastCode: number | null = null;

  constructor(readonly base = 0xf4, readonly size = 4) {}

  ioRead(_port: number, size: number): number {
    return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  }

  ioWrite(_port: number, _size: number, value: number): void {
    const code = (value >>> 0) * 2 + 1;
    this.lastCode = code;
    this.onExit(code);
  }

  saveState(): DebugExitState { return { lastCode: this.lastCode }; }
  loadState(s: DebugExitState): void { this.lastCode = s.lastCode ?? null; }
}
