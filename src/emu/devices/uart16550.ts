// National Semiconductor PC16550D UART (the "16550A" of PCs), as at COM1 0x3F8 / IRQ 4.
//
// Registers (offset from base; DLAB = LCR bit 7):
//   0 R  RBR receive buffer (DLAB=0)      0 W THR transmit holding (DLAB=0)   0 RW DLL (DLAB=1)
//   1 RW IER: b0 ERBFI rx data, b1 ETBEI THR empty, b2 ELSI line status, b3 EDSSI modem status
//                                                                             1 RW DLM (DLAB=1)
//   2 R  IIR: b0 = 0 when an interrupt is pending; b3..b1 = 011 line status, 010 rx data,
//             110 character timeout, 001 THR empty, 000 modem status; b7:6 = 11 when FIFOs on
//   2 W  FCR: b0 FIFO enable, b1 clear RX FIFO, b2 clear TX FIFO, b7:6 RX trigger 1/4/8/14
//   3 RW LCR   4 RW MCR: b0 DTR, b1 RTS, b2 OUT1, b3 OUT2, b4 LOOP
//   5 R  LSR: b0 DR, b1 OE, b2 PE, b3 FE, b4 BI, b5 THRE, b6 TEMT, b7 RX FIFO error
//   6 R  MSR: b0 DCTS b1 DDSR b2 TERI b3 DDCD, b4 CTS b5 DSR b6 RI b7 DCD   7 RW SCR
//
// Modelling choices (documented deviations from real timing):
// - Transmission is instantaneous: a byte written to THR leaves at once, so THRE and TEMT
//   read as 1 again immediately (polling drivers never wait) and the THRE interrupt
//   re-arms at once. Per the datasheet the THRE interrupt is cleared by reading IIR when
//   it is the reported source, or by writing THR, and is raised when ETBEI is set while
//   THR is empty.
// - Reception: receive() appends to a backlog (bounded); the first 16 bytes (1 byte with
//   FIFOs off) model the RX FIFO / holding register. The host is flow-controlled through the
//   backlog, so overrun never happens. With FIFOs on and fewer bytes than the trigger level,
//   the character-timeout indication (IIR 0xCC) is reported at once instead of after four
//   character times (the UART is not clocked).
// - Interrupt pin: on a PC the UART's INTR reaches the PIC only through the OUT2-gated
//   buffer (MCR bit 3) and in loopback mode OUT2 is internal, so the line is low. Pass
//   { out2GatesIrq: false } to mimic QEMU, which ignores OUT2.
// - In loopback (MCR b4) transmitted bytes come back to the receiver and are not sent out;
//   MSR b4..b7 reflect RTS, DTR, OUT1, OUT2. Outside loopback CTS, DSR and DCD read as 1
//   (a terminal is attached), RI as 0.

const RX_FIFO = 16;
const TRIGGER = [1, 4, 8, 14] as const;

export interface Uart16550Options {
  /** Maximum bytes kept for output() (default 1 MiB); older output is discarded. */
  outputLimit?: number;
  /** Maximum bytes of queued input beyond what the guest has read (default 64 KiB). */
  backlogLimit?: number;
  /** Whether MCR OUT2 gates the interrupt line, as on PC boards (default true). */
  out2GatesIrq?: boolean;
}

export interface Uart16550State {
  rx: number[]; ier: number; lcr: number; mcr: number; lsrErr: number; scr: number;
  dll: number; dlm: number; fcr: number; thrIrq: boolean; msrDelta: number; msrPrev: number;
  out: string; irq: boolean;
}

export class Uart16550 {
  irqLine: (level: boolean) => void = () => {};
  onTransmit: (byte: number) => void = () => {};
  readonly ioByteWide = true;

  private rx: number[] = [];
  private rxHead = 0;
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private lsrErr = 0; // OE/PE/FE/BI bits, cleared by reading LSR
  private scr = 0;
  private dll = 0x0c; // 9600 baud, the BIOS default
  private dlm = 0;
  private fcr = 0;
  private thrIrq = false;
  private msrDelta = 0;
  private msrPrev: number;
  private out = "";
  private irq = false;
  private readonly outputLimit: number;
  private readonly backlogLimit: number;
  private readonly out2Gates: boolean;

  constructor(readonly base = 0x3f8, opts: Uart16550Options = {}) {
    this.outputLimit = opts.outputLimit ?? 1 << 20;
    this.backlogLimit = opts.backlogLimit ?? 1 << 16;
    this.out2Gates = opts.out2GatesIrq ?? true;
    this.msrPrev = this.msrLines();
  }

  // ---- host side ----

  /** Queue received bytes (e.g. typed keys). Bytes beyond the backlog limit are dropped. */
  receive(bytes: Iterable<number> | string): void {
    const list = typeof bytes === "string" ? Array.from(bytes, (c) => c.charCodeAt(0) & 0xff) : bytes;
    for (const b of list) {
      if (this.rxCount() >= this.backlogLimit) break;
      this.rx.push(b & 0xff);
    }
    this.update();
  }

  /** Everything transmitted so far (bytes as Latin-1 characters), up to the output limit. */
  output(): string { return this.out; }

  /** Return and clear the accumulated output. */
  takeOutput(): string { const s = this.out; this.out = ""; return s; }

  /** Bytes waiting to be read by the guest (FIFO plus backlog). */
  rxCount(): number { return this.rx.length - this.rxHead; }

  /** Current level of the interrupt line as driven to the PIC. */
  get irqLevel(): boolean { return this.irq; }

  // ---- port interface ----

  ioRead(port: number, _size: number): number {
    const dlab = this.lcr & 0x80;
    switch ((port - this.base) & 7) {
      case 0: {
        if (dlab) return this.dll;
        if (this.rxCount() === 0) return 0;
        const b = this.rx[this.rxHead++]!;
        if (this.rxHead > 4096 && this.rxHead * 2 > this.rx.length) { this.rx = this.rx.slice(this.rxHead); this.rxHead = 0; }
        this.update();
        return b;
      }
      case 1: return dlab ? this.dlm : this.ier;
      case 2: {
        const iir = this.iir();
        if ((iir & 0x0f) === 0x02) { this.thrIrq = false; this.update(); }
        return iir;
      }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: {
        const v = this.lsr();
        if (this.lsrErr) { this.lsrErr = 0; this.update(); }
        return v;
      }
      case 6: {
        const lines = this.msrLines();
        const v = lines | this.msrDelta;
        this.msrDelta = 0;
        this.update();
        return v;
      }
      default: return this.scr;
    }
  }

  ioWrite(port: number, _size: number, value: number): void {
    value &= 0xff;
    const dlab = this.lcr & 0x80;
    switch ((port - this.base) & 7) {
      case 0:
        if (dlab) { this.dll = value; return; }
        this.transmit(value);
        return;
      case 1: {
        if (dlab) { this.dlm = value; return; }
        const old = this.ier;
        this.ier = value & 0x0f;
        // Setting ETBEI while THR is empty (always, here) raises the THRE interrupt.
        if ((this.ier & 2) && !(old & 2)) this.thrIrq = true;
        if (!(this.ier & 2)) this.thrIrq = false;
        this.update();
        return;
      }
      case 2: {
        const wasOn = this.fcr & 1;
        if (value & 1) {
          if (!wasOn || (value & 2)) this.clearRxFifo(); // changing FIFO mode resets the FIFOs
          this.fcr = value & 0xc9;
        } else {
          if (wasOn) this.clearRxFifo();
          this.fcr = 0;
        }
        this.update();
        return;
      }
      case 3: this.lcr = value; return;
      case 4: {
        this.mcr = value & 0x1f;
        this.modemLinesChanged();
        this.update();
        return;
      }
      case 5: case 6: return; // LSR/MSR are read-only (writes are for factory test)
      default: this.scr = value; return;
    }
  }

  // ---- internals ----

  private transmit(b: number): void {
    if (this.mcr & 0x10) {
      if (this.rxCount() < this.backlogLimit) this.rx.push(b);
    } else {
      this.out += String.fromCharCode(b);
      if (this.out.length > this.outputLimit * 2) this.out = this.out.slice(-this.outputLimit);
      this.onTransmit(b);
    }
    // Writing THR clears the THRE interrupt; the byte leaves at once and THR is empty again.
    this.thrIrq = (this.ier & 2) !== 0;
    this.update();
  }

  private clearRxFifo(): void {
    this.rxHead += Math.min(this.fifoCount(), this.rxCount());
  }

  private fifoCount(): number {
    return Math.min(this.rxCount(), this.fcr & 1 ? RX_FIFO : 1);
  }

  private lsr(): number {
    let v = 0x60 | this.lsrErr; // THRE | TEMT: transmission is instantaneous
    if (this.rxCount()) v |= 1;
    return v;
  }

  private msrLines(): number {
    if (this.mcr & 0x10) {
      const m = this.mcr;
      return ((m & 2) << 3) | ((m & 1) << 5) | ((m & 4) << 4) | ((m & 8) << 4);
    }
    return 0xb0; // CTS, DSR, DCD asserted; RI off
  }

  private modemLinesChanged(): void {
    const now = this.msrLines();
    const changed = now ^ this.msrPrev;
    if (changed & 0x10) this.msrDelta |= 1;
    if (changed & 0x20) this.msrDelta |= 2;
    if ((this.msrPrev & 0x40) && !(now & 0x40)) this.msrDelta |= 4; // trailing edge of RI
    if (changed & 0x80) this.msrDelta |= 8;
    this.msrPrev = now;
  }

  private iir(): number {
    const fifo = this.fcr & 1 ? 0xc0 : 0;
    const ier = this.ier;
    if ((ier & 4) && (this.lsrErr & 0x1e)) return fifo | 0x06;
    if (ier & 1) {
      const n = this.fifoCount();
      if (n) {
        if (!(this.fcr & 1) || n >= TRIGGER[this.fcr >> 6]!) return fifo | 0x04;
        return fifo | 0x0c;
      }
    }
    if ((ier & 2) && this.thrIrq) return fifo | 0x02;
    if ((ier & 8) && this.msrDelta) return fifo | 0x00;
    return fifo | 0x01;
  }

  private update(): void {
    let level = (this.iir() & 1) === 0;
    if (this.out2Gates && (!(this.mcr & 8) || (this.mcr & 0x10))) level = false;
    if (level !== this.irq) {
      this.irq = level;
      this.irqLine(level);
    }
  }

  saveState(): Uart16550State {
    return {
      rx: this.rx.slice(this.rxHead), ier: this.ier, lcr: this.lcr, mcr: this.mcr, lsrErr: this.lsrErr,
      scr: this.scr, dll: this.dll, dlm: this.dlm, fcr: this.fcr, thrIrq: this.thrIrq,
      msrDelta: this.msrDelta, msrPrev: this.msrPrev, out: this.out, irq: this.irq,
    };
  }

  loadState(s: Uart16550State): void {
    this.rx = s.rx.map((b) => b & 0xff);
    this.rxHead = 0;
    this.ier = s.ier & 0x0f; this.lcr = s.lcr & 0xff; this.mcr = s.mcr & 0x1f; this.lsrErr = s.lsrErr & 0x1e;
    this.scr = s.scr & 0xff; this.dll = s.dll & 0xff; this.dlm = s.dlm & 0xff; this.fcr = s.fcr & 0xc9;
    this.thrIrq = !!s.thrIrq; this.msrDelta = s.msrDelta & 0x0f; this.msrPrev = s.msrPrev & 0xf0;
    this.out = String(s.out ?? "");
    this.irq = !!s.irq; // the line's level as last driven; the machine restores the PIC's view itself
    this.update();
  }
}
