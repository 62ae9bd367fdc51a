// The CPU's SVM state that is not in a VMCB: the global interrupt flag, whether
// a guest runs, and what VMRUN cached from the guest's control area (APM Vol 2
// §15.5: the processor may cache the control area while the guest runs; a
// hypervisor changes it only between #VMEXIT and the next VMRUN).

/** Thrown (never caught by guest code) to abandon the current instruction after a #VMEXIT. */
export class WorldSwitch {
  constructor(readonly exitCode: number) {}
}

/** EXITINTINFO / EVENTINJ type field (APM §15.20). */
export const EVENT_TYPE = { INTR: 0, NMI: 2, EXCEPTION: 3, SOFT_INT: 4 } as const;

import { VmcbPage } from './vmcb-access';
import { VmTable } from './vms';

export class SvmState {
  /** The guests VMRUN has entered, for the debugger (vms.ts). */
  readonly vms = new VmTable();
  /** The running guest's VMCB, the host save area, and VMLOAD/VMSAVE's operand, as bound for one use each (VmcbPage). */
  readonly guestPage = new VmcbPage();
  readonly hostPage = new VmcbPage();
  readonly operandPage = new VmcbPage();
  /** Global interrupt flag: clear, INTR/NMI/SMI are held pending (CLGI, #VMEXIT). */
  gif = true;
  /** A guest is executing (between VMRUN and #VMEXIT). */
  guest = false;
  /** Host-physical address of the running guest's VMCB. */
  vmcb = 0;
  /** Cached intercept words: CR, DR, exceptions, misc1, misc2, misc3 (VMCB 0x000-0x014). */
  readonly icpt = new Int32Array(6);
  iopm = 0;
  msrpm = 0;
  asid = 0;
  /** TSC_OFFSET, added to the TSC the guest reads. */
  tscOffset = 0;
  // Virtual interrupt controls (VMCB 0x060).
  vTpr = 0;
  vIrq = false;
  vIntrPrio = 0;
  vIgnTpr = false;
  vIntrMasking = false;
  vIntrVector = 0;
  /** Virtual GIF (VGIF feature, V_GIF_ENABLE): the guest's STGI/CLGI set vGif, which masks virtual interrupts. */
  vGifEnable = false;
  vGif = true;
  /** Host RFLAGS.IF at VMRUN: with V_INTR_MASKING it masks physical interrupts. */
  hostIf = false;
  /**
   * The event being delivered when a #VMEXIT happens becomes EXITINTINFO:
   * valid, vector, type, error code (-1: none).
   */
  evValid = false;
  evVector = 0;
  evType = 0;
  evError = -1;

  /** Guest PAT (nested paging), kept for the round trip; memory types are not modelled. */
  gPatLo = 0x00070406;
  gPatHi = 0x00070406;
  /** Why the last VMRUN failed its consistency checks ('' if it did not), for the debugger. */
  invalidReason = '';

  /**
   * Debugger hook at each world switch (after VMRUN has entered the guest, after
   * #VMEXIT has restored the host): returning true stops the run there.
   */
  onSwitch: ((kind: 'vmrun' | 'vmexit', exitCode: number) => boolean) | null = null;

  /** The cycle count when the last #VMEXIT began (before its cost), for the switch-lag experiment. */
  exitStartCycles = 0;
  /**
   * Called as a #VMEXIT begins, before any of its work (the switch-lag experiment's first
   * timestamp: the paper's breakpoint "immediately before the #VMEXIT"); onSwitch comes after it.
   */
  onExitBegin: ((exitCode: number) => void) | null = null;

  /** Counters for the debugger and the bench. */
  vmruns = 0;
  exits = 0;
  /** VMRUNs that failed their consistency checks (#VMEXIT(INVALID)). */
  invalidCount = 0;
  lastExitCode = 0;

  reset(): void {
    this.gif = true;
    this.guest = false;
    this.vmcb = 0;
    this.icpt.fill(0);
    this.asid = 0;
    this.evValid = false;
    this.vmruns = 0;
    this.exits = 0;
    this.invalidCount = 0;
    this.vms.clear();
  }
}
