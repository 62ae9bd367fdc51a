// Intel 8259A Programmable Interrupt Controller pair of the PC/AT: master at 0x20/0x21,
// slave at 0xA0/0xA1 cascaded on master IR2, ELCR (edge/level control) at 0x4D0/0x4D1.
//
// Datasheet behaviour modelled (Intel 8259A, order no. 231468):
// - ICW1 (A0=0, D4=1): IC4, SNGL, LTIM (level-triggered mode); starts initialization:
//   IMR, ISR and IRR cleared, edge sense reset (a new low-to-high transition is needed),
//   fixed priority (IR0 highest), read register = IRR, special mask mode off, ICW4
//   functions off unless IC4. Then ICW2 (vector base, bits 7..3), ICW3 (unless SNGL),
//   ICW4 (if IC4: bit 1 AEOI, bit 4 SFNM; 8086 mode assumed).
// - OCW1 (A0=1 after init): IMR. Reading A0=1 returns IMR.
// - OCW2 (A0=0, D4:3=00): R SL EOI = 001 non-specific EOI, 011 specific EOI, 101 rotate on
//   non-specific EOI, 111 rotate on specific EOI, 110 set priority, 100/000 set/clear
//   rotate in AEOI mode, 010 no-op.
// - OCW3 (A0=0, D4:3=01): RR/RIS select IRR or ISR for reads of A0=0, P poll command
//   (next read of A0=0 returns 0x80|level and acknowledges, or 0 if none), ESMM/SMM.
// - Edge-triggered inputs latch IRR on a rising edge; the request must stay high until
//   acknowledge: if the input falls first, IRR clears and INTA returns the IR7 vector of
//   that chip (spurious IRQ7 / IRQ15) without setting ISR. Level mode (LTIM or ELCR bit)
//   makes IRR follow the input.
// - Priority: a request interrupts if it is unmasked and of higher priority than every
//   in-service level (special mask mode: than every in-service unmasked level; SFNM on the
//   master: the cascade level does not block further slave requests).
// - INTA: the highest request moves IRR -> ISR (not in AEOI mode) and its vector is returned;
//   a master IR2 request is resolved by the slave.
// - ELCR: bits set select level triggering; IRQ 0, 1, 2, 8 and 13 are edge only (masks
//   0xF8 / 0xDE as in the PIIX).
// setIrq(2) is routed to IRQ 9 (the ISA bus IRQ2 pin is wired to the slave's IR1 on an AT).

export interface PicChipState {
  irr: number; isr: number; imr: number; inputs: number; initStep: number; icw4: boolean; single: boolean;
  base: number; autoEoi: boolean; rotateAeoi: boolean; readIsr: boolean; poll: boolean; specialMask: boolean;
  sfnm: boolean; ltim: boolean; elcr: number; priorityAdd: number; cascade: number;
}

class PicChip {
  irr = 0;
  isr = 0;
  imr = 0;
  inputs = 0;
  initStep = 0; // 0 = ready; 2/3/4 = waiting for ICW2/3/4
  icw4 = false;
  single = false;
  base = 0;
  autoEoi = false;
  rotateAeoi = false;
  readIsr = false;
  poll = false;
  specialMask = false;
  sfnm = false;
  ltim = false;
  elcr = 0;
  priorityAdd = 0; // the IR level with the highest priority
  cascade = 0;

  constructor(readonly isMaster: boolean, readonly elcrMask: number) {}

  private levelMode(bit: number): boolean { return this.ltim || (this.elcr & bit) !== 0; }

  setInput(irq: number, level: boolean): void {
    const bit = 1 << irq;
    if (level) {
      if (this.levelMode(bit) || !(this.inputs & bit)) this.irr |= bit;
      this.inputs |= bit;
    } else {
      this.inputs &= ~bit;
      this.irr &= ~bit; // a vanished request: spurious at INTA time
    }
  }

  /** The highest-priority level set in `mask`, as an IR number, or 8 if none. */
  private priority(mask: number): number {
    if (!mask) return 8;
    let p = 0;
    while (!(mask & (1 << ((p + this.priorityAdd) & 7)))) p++;
    return p;
  }

  /** The IR level that would be delivered now, or -1. */
  pending(): number {
    const req = this.irr & ~this.imr;
    const p = this.priority(req);
    if (p === 8) return -1;
    let inService = this.isr;
    if (this.specialMask) inService &= ~this.imr;
    if (this.sfnm && this.isMaster) inService &= ~(1 << this.cascade);
    return p < this.priority(inService) ? (p + this.priorityAdd) & 7 : -1;
  }

  /** INTA on this chip: returns the IR level acknowledged, or 7 for a spurious request. */
  ack(): number {
    const irq = this.pending();
    if (irq < 0) return 7;
    const bit = 1 << irq;
    if (!this.levelMode(bit)) this.irr &= ~bit;
    if (this.autoEoi) {
      if (this.rotateAeoi) this.priorityAdd = (irq + 1) & 7;
    } else this.isr |= bit;
    return irq;
  }

  private eoi(specific: number, rotate: boolean): void {
    let irq = specific;
    if (irq < 0) {
      const p = this.priority(this.isr);
      if (p === 8) return;
      irq = (p + this.priorityAdd) & 7;
    }
    this.isr &= ~(1 << irq);
    if (rotate) this.priorityAdd = (irq + 1) & 7;
  }

  readCommand(): number {
    if (this.poll) {
      this.poll = false;
      const irq = this.pending();
      if (irq < 0) return 0;
      this.ack();
      return 0x80 | irq;
    }
    return this.readIsr ? this.isr : this.irr;
  }

  readData(): number {
    if (this.poll) { this.poll = false; const irq = this.pending(); if (irq < 0) return 0; this.ack(); return 0x80 | irq; }
    return this.imr;
  }

  writeCommand(v: number): void {
    if (v & 0x10) { // ICW1
      this.icw4 = (v & 1) !== 0;
      this.single = (v & 2) !== 0;
      this.ltim = (v & 8) !== 0;
      this.irr = 0; this.isr = 0; this.imr = 0;
      this.priorityAdd = 0; this.readIsr = false; this.poll = false; this.specialMask = false;
      this.autoEoi = false; this.rotateAeoi = false; this.sfnm = false;
      this.initStep = 2;
      if (this.ltim) this.irr = this.inputs; // level mode: requests are the input levels
      return;
    }
    if (v & 0x08) { // OCW3
      if (v & 0x04) this.poll = true;
      if (v & 0x02) this.readIsr = (v & 1) !== 0;
      if (v & 0x40) this.specialMask = (v & 0x20) !== 0;
      return;
    }
    // OCW2
    const level = v & 7;
    switch (v >> 5) {
      case 1: this.eoi(-1, false); break;
      case 3: this.eoi(level, false); break;
      case 5: this.eoi(-1, true); break;
      case 7: this.eoi(level, true); break;
      case 6: this.priorityAdd = (level + 1) & 7; break;
      case 4: this.rotateAeoi = true; break;
      case 0: this.rotateAeoi = false; break;
      default: break;
    }
  }

  writeData(v: number): void {
    switch (this.initStep) {
      case 2:
        this.base = v & 0xf8;
        this.initStep = this.single ? (this.icw4 ? 4 : 0) : 3;
        return;
      case 3:
        this.cascade = this.isMaster ? 2 : v & 7; // the master's ICW3 is a bit mask of slaves
        this.initStep = this.icw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (v & 2) !== 0;
        this.sfnm = (v & 0x10) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = v;
    }
  }

  writeElcr(v: number): void {
    this.elcr = v & this.elcrMask;
    this.irr = (this.irr & ~this.elcr) | (this.inputs & this.elcr);
  }

  saveState(): PicChipState {
    const { irr, isr, imr, inputs, initStep, icw4, single, base, autoEoi, rotateAeoi, readIsr, poll, specialMask, sfnm, ltim, elcr, priorityAdd, cascade } = this;
    return { irr, isr, imr, inputs, initStep, icw4, single, base, autoEoi, rotateAeoi, readIsr, poll, specialMask, sfnm, ltim, elcr, priorityAdd, cascade };
  }

  loadState(s: PicChipState): void {
    this.irr = s.irr & 0xff; this.isr = s.isr & 0xff; this.imr = s.imr & 0xff; this.inputs = s.inputs & 0xff;
    this.initStep = s.initStep; this.icw4 = !!s.icw4; this.single = !!s.single; this.base = s.base & 0xf8;
    this.autoEoi = !!s.autoEoi; this.rotateAeoi = !!s.rotateAeoi; this.readIsr = !!s.readIsr; this.poll = !!s.poll;
    this.specialMask = !!s.specialMask; this.sfnm = !!s.sfnm; this.ltim = !!s.ltim; this.elcr = s.elcr & this.elcrMask;
    this.priorityAdd = s.priorityAdd & 7; this.cascade = s.cascade & 7;
  }
}

export interface Pic8259State { master: PicChipState; slave: PicChipState }

export class Pic8259 {
  readonly ioByteWide = true;
  readonly master = new PicChip(true, 0xf8);
  readonly slave = new PicChip(false, 0xde);

  /** Drive ISA IRQ line 0..15. */
  setIrq(irq: number, level: boolean): void {
    if (irq === 2) irq = 9;
    if (irq < 8) this.master.setInput(irq, level);
    else {
      this.slave.setInput(irq - 8, level);
      this.cascadeUpdate();
    }
  }

  /** Propagate the slave's INT output to master IR2. */
  private cascadeUpdate(): void {
    this.master.setInput(2, this.slave.pending() >= 0);
  }

  /** INTR output: an unmasked request of higher priority than everything in service. */
  hasInterrupt(): boolean {
    return this.master.pending() >= 0;
  }

  /** INTA cycle: returns the vector (spurious requests give the chip's IR7 vector). */
  acknowledge(): number {
    const irq = this.master.ack();
    let vector: number;
    if (irq === 2) {
      const s = this.slave.ack();
      vector = this.slave.base + s;
    } else vector = this.master.base + irq;
    this.cascadeUpdate();
    return vector;
  }

  /** The IRQ (0..15) that acknowledge() would deliver now, or -1 (for the debugger). */
  pendingIrq(): number {
    const m = this.master.pending();
    if (m !== 2) return m;
    const s = this.slave.pending();
    return s < 0 ? -1 : 8 + s;
  }

  ioRead(port: number, _size: number): number {
    switch (port) {
      case 0x20: return this.master.readCommand();
      case 0x21: return this.master.readData();
      case 0xa0: { const v = this.slave.readCommand(); this.cascadeUpdate(); return v; }
      case 0xa1: { const v = this.slave.readData(); this.cascadeUpdate(); return v; }
      case 0x4d0: return this.master.elcr;
      case 0x4d1: return this.slave.elcr;
      default: return 0xff;
    }
  }

  ioWrite(port: number, _size: number, value: number): void {
    value &= 0xff;
    switch (port) {
      case 0x20: this.master.writeCommand(value); break;
      case 0x21: this.master.writeData(value); break;
      case 0xa0: this.slave.writeCommand(value); break;
      case 0xa1: this.slave.writeData(value); break;
      case 0x4d0: this.master.writeElcr(value); break;
      case 0x4d1: this.slave.writeElcr(value); break;
      default: return;
    }
    this.cascadeUpdate();
  }

  saveState(): Pic8259State { return { master: this.master.saveState(), slave: this.slave.saveState() }; }
  loadState(s: Pic8259State): void { this.master.loadState(s.master); this.slave.loadState(s.slave); }
}
