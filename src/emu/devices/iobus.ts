// The PC's I/O port space: 65536 byte ports, each owned by at most one device.
//
// ISA semantics: a port nobody decodes floats, so reads return all ones (0xff per
// byte: 0xff / 0xffff / 0xffffffff) and writes vanish. Devices that sit on the
// 8-bit ISA bus (UART, PIT, PIC, VGA registers) set `ioByteWide`: a 16- or 32-bit
// IN/OUT to them is split by the bus into byte accesses at port, port+1, ...,
// each going to whichever device decodes that port (as the chipset does for an
// 8-bit target). Other devices receive the access with its size.
// Values are unsigned: in() returns 0 .. 2^(8*size)-1.

export interface IoDevice {
  ioRead(port: number, size: number): number;
  ioWrite(port: number, size: number, value: number): void;
  /** True for 8-bit devices: wider accesses are split into byte accesses by the bus. */
  readonly ioByteWide?: boolean;
}

export type IoAccessListener = (port: number, size: 1 | 2 | 4, value: number, isWrite: boolean) => void;

const MASK = [0, 0xff, 0xffff, 0, 0xffffffff] as const;

export class IoBus {
  private readonly owner = new Uint16Array(0x10000); // 0 = unclaimed, else index+1 into devs
  private readonly devs: IoDevice[] = [];
  /** Called after every access (read value or written value), e.g. for I/O breakpoints. */
  onAccess?: IoAccessListener;

  /** Claim ports first..last (inclusive) for dev. Throws on overlap with another device. */
  register(first: number, last: number, dev: IoDevice): void {
    if (!(first >= 0 && last <= 0xffff && first <= last)) throw new Error(`bad port range ${first}..${last}`);
    let idx = this.devs.indexOf(dev);
    if (idx < 0) { this.devs.push(dev); idx = this.devs.length - 1; }
    for (let p = first; p <= last; p++) {
      const o = this.owner[p]!;
      if (o && o !== idx + 1) throw new Error(`port 0x${p.toString(16)} already claimed`);
    }
    this.owner.fill(idx + 1, first, last + 1);
  }

  /** Release ports first..last. */
  unregister(first: number, last: number): void {
    this.owner.fill(0, first, last + 1);
  }

  /** The device decoding `port`, if any. */
  deviceAt(port: number): IoDevice | undefined {
    const o = this.owner[port & 0xffff]!;
    return o ? this.devs[o - 1] : undefined;
  }

  in(port: number, size: 1 | 2 | 4): number {
    port &= 0xffff;
    const o = this.owner[port]!;
    let v: number;
    if (o === 0 && size === 1) v = 0xff;
    else {
      const dev = o ? this.devs[o - 1]! : undefined;
      if (dev && (size === 1 || !dev.ioByteWide)) v = (dev.ioRead(port, size) & MASK[size]) >>> 0;
      else {
        v = 0;
        for (let k = 0; k < size; k++) v |= this.readByte((port + k) & 0xffff) << (8 * k);
        v >>>= 0;
      }
    }
    if (this.onAccess) this.onAccess(port, size, v, false);
    return v;
  }

  out(port: number, size: 1 | 2 | 4, value: number): void {
    port &= 0xffff;
    value = (value & MASK[size]) >>> 0;
    const o = this.owner[port]!;
    if (o) {
      const dev = this.devs[o - 1]!;
      if (size === 1 || !dev.ioByteWide) dev.ioWrite(port, size, value);
      else for (let k = 0; k < size; k++) this.writeByte((port + k) & 0xffff, (value >>> (8 * k)) & 0xff);
    } else if (size !== 1) {
      // An unclaimed first byte does not stop the upper bytes reaching 8-bit devices.
      for (let k = 1; k < size; k++) this.writeByte((port + k) & 0xffff, (value >>> (8 * k)) & 0xff);
    }
    if (this.onAccess) this.onAccess(port, size, value, true);
  }

  private readByte(port: number): number {
    const o = this.owner[port]!;
    return o ? this.devs[o - 1]!.ioRead(port, 1) & 0xff : 0xff;
  }

  private writeByte(port: number, v: number): void {
    const o = this.owner[port]!;
    if (o) this.devs[o - 1]!.ioWrite(port, 1, v);
  }
}
