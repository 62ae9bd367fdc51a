// System control port B (port 0x61) of the PC/AT:
//   bit 0 R/W  timer 2 GATE            bit 1 R/W  speaker data enable
//   bits 2,3 R/W  parity/channel check enables (stored, no effect)
//   bit 4 R    refresh request toggle (hardware: flips every 15.085 us; here: flips on every
//              read, since the port is not clocked, so "wait for a toggle" loops terminate)
//   bit 5 R    timer 2 OUT             bits 6,7 R  parity/channel check errors (always 0)

import type { Pit8254 } from "./pit8254";

export interface Port61State { value: number; refresh: boolean }

export class Port61 {
  readonly ioByteWide = true;
  private value = 0;
  private refresh = false;

  constructor(private readonly pit: Pit8254) {}

  ioRead(_port: number, _size: number): number {
    this.refresh = !this.refresh;
    return (this.value & 0x0f) | (this.refresh ? 0x10 : 0) | (this.pit.channels[2].out() ? 0x20 : 0);
  }

  ioWrite(_port: number, _size: number, v: number): void {
    this.value = v & 0x0f;
    this.pit.setGate2((v & 1) !== 0);
  }

  saveState(): Port61State { return { value: this.value, refresh: this.refresh }; }
  loadState(s: Port61State): void { this.value = s.value & 0x0f; this.refresh = !!s.refresh; }
}
