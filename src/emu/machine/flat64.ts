// The flat 64-bit setup: the instruction core on its own, before the whole PC.
// CPL 0, 64-bit code segment, zero segment bases, no paging (linear = physical),
// no devices. An ELF64 image is loaded at its physical addresses and run from
// its entry point until hlt, an exception, or an instruction budget.
import { Cpu, StopReason } from '../cpu/cpu';
import { PhysMem } from '../mem/phys';
import { parseElf, type ElfImage, PT_LOAD } from './elf';
import { GPR_NAMES } from '../cpu/regs';

export interface FlatRunResult {
  stop: 'halt' | 'exception' | 'limit' | 'internal';
  instructions: number;
  cycles: number;
  seconds: number;
  /** Set when stop = exception: e.g. "#UD invalid opcode" at rip. */
  fault?: string;
  rip: bigint;
}

export class FlatMachine {
  readonly mem: PhysMem;
  readonly cpu: Cpu;
  image: ElfImage | null = null;

  constructor(ramBytes = 16 << 20) {
    this.mem = new PhysMem(ramBytes);
    this.cpu = new Cpu(this.mem);
    this.cpu.setFlat64();
  }

  /** Load an ELF64 image's PT_LOAD segments at their physical addresses; set RIP to its entry. */
  loadElf(bytes: Uint8Array): ElfImage {
    const img = parseElf(bytes);
    for (const ph of img.loadSegments) {
      if (ph.type !== PT_LOAD) continue;
      const pa = Number(ph.paddr);
      const memsz = Number(ph.memsz);
      if (pa + memsz > this.mem.size) {
        throw new Error(`segment at 0x${pa.toString(16)} (${memsz} bytes) does not fit in ${this.mem.size >> 20} MiB of RAM`);
      }
      this.mem.u8.fill(0, pa, pa + memsz);
      this.mem.load(pa, img.fileBytes(ph));
    }
    this.cpu.ripLo = img.entryLo;
    this.cpu.ripHi = img.entryHi;
    this.image = img;
    return img;
  }

  run(budget = 2e9): FlatRunResult {
    const t0 = performance.now();
    const i0 = this.cpu.instructions;
    const c0 = this.cpu.cycles;
    const stop = this.cpu.run(budget);
    const seconds = (performance.now() - t0) / 1000;
    const names: Record<number, FlatRunResult['stop']> = {
      [StopReason.Halt]: 'halt', [StopReason.Exception]: 'exception', [StopReason.Limit]: 'limit', [StopReason.Internal]: 'internal',
    };
    const res: FlatRunResult = {
      stop: names[stop] ?? 'limit',
      instructions: this.cpu.instructions - i0,
      cycles: this.cpu.cycles - c0,
      seconds,
      rip: (BigInt(this.cpu.ripHi >>> 0) << 32n) | BigInt(this.cpu.ripLo >>> 0),
    };
    if (stop === StopReason.Exception && this.cpu.lastFault) res.fault = this.cpu.lastFault.toString();
    if (stop === StopReason.Internal) res.fault = `internal error: ${this.cpu.internalError}`;
    return res;
  }

  /** Read a 64-bit little-endian value from physical memory (BigInt: not a hot path). */
  readU64(pa: number): bigint {
    return this.mem.dv.getBigUint64(pa, true);
  }

  registers(): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    GPR_NAMES.forEach((n, k) => {
      out[n] = (BigInt(this.cpu.r[2 * k + 1]! >>> 0) << 32n) | BigInt(this.cpu.r[2 * k]! >>> 0);
    });
    return out;
  }
}
