// Events in a guest: EVENTINJ (APM Vol 2 §15.20), physical interrupts under
// the INTR intercept and V_INTR_MASKING, and virtual interrupts (V_IRQ,
// §15.21), all taken at instruction boundaries.
import type { Cpu } from '../cpu/cpu';
import { deliverEvent } from '../cpu/interrupts';
import { IF } from '../cpu/flags';
import { VMEXIT } from './exitcodes';
import { EVENT_TYPE } from './state';
import { intercepted } from './intercept';
import { exitAtBoundary } from './world';

/**
 * Inject the VMCB's EVENTINJ event into the guest that VMRUN just loaded. The
 * injected event itself is not checked against the exception intercepts; a
 * fault while delivering it is (and then EXITINTINFO holds the injected event).
 */
export function injectEvent(c: Cpu, vector: number, type: number, errorCode: number): void {
  c.pfPending = false; // an injected #PF does not write CR2: the hypervisor set it
  c.startLo = c.ripLo;
  c.startHi = c.ripHi;
  switch (type) {
    case EVENT_TYPE.INTR: deliverEvent(c, vector, -1, 'external', false); break;
    case EVENT_TYPE.NMI: deliverEvent(c, 2, -1, 'nmi', false); break;
    case EVENT_TYPE.EXCEPTION: deliverEvent(c, vector, errorCode, 'exception', false); break;
    default: deliverEvent(c, vector, -1, 'soft', false); break;
  }
}

/**
 * Between two guest instructions: a physical interrupt (taken by the guest or,
 * when INTR is intercepted, ending the guest's run) or a virtual one (V_IRQ).
 * Returns true when an event was delivered (or the world switched).
 */
export function guestInterrupt(c: Cpu): boolean {
  const s = c.svm;
  if (!s.gif) { c.irqCheck = false; return false; }
  const shadow = c.shadowAt === c.instructions;
  const guestIf = (c.flags & IF) !== 0;
  if (!c.nmiBlocked && c.intr.hasNmi?.()) {
    // NMI: exits when intercepted (it stays pending for the host), else the guest takes it.
    c.startLo = c.ripLo;
    c.startHi = c.ripHi;
    if (intercepted(c, VMEXIT.NMI)) return exitAtBoundary(c, VMEXIT.NMI);
    return c.takeNmi();
  }
  if (c.intr.hasInterrupt()) {
    // V_INTR_MASKING: the host's IF (at VMRUN) masks physical interrupts, not the guest's.
    const masked = s.vIntrMasking ? !s.hostIf : !guestIf || shadow;
    if (!masked) {
      c.startLo = c.ripLo;
      c.startHi = c.ripHi;
      if (intercepted(c, VMEXIT.INTR)) return exitAtBoundary(c, VMEXIT.INTR); // the interrupt stays pending for the host
      const vector = c.intr.acknowledge();
      c.halted = false;
      deliverEvent(c, vector, -1, 'external');
      return true;
    }
  }
  if (s.vIrq) {
    if (guestIf && !shadow && (!s.vGifEnable || s.vGif) && (s.vIgnTpr || s.vIntrPrio > s.vTpr)) {
      c.startLo = c.ripLo;
      c.startHi = c.ripHi;
      if (intercepted(c, VMEXIT.VINTR)) return exitAtBoundary(c, VMEXIT.VINTR);
      s.vIrq = false;
      c.halted = false;
      deliverEvent(c, s.vIntrVector, -1, 'external');
      return true;
    }
    c.irqCheck = true; // keep looking until the guest can take it
    return false;
  }
  c.irqCheck = c.intr.hasInterrupt() || (c.intr.hasNmi?.() ?? false);
  return false;
}

/** Could a halted guest be woken (by an interrupt it takes or one that exits)? */
export function guestWakeable(c: Cpu): boolean {
  const s = c.svm;
  if (!s.gif) return false;
  if (s.vIrq && (c.flags & IF) && (!s.vGifEnable || s.vGif)) return true;
  return s.vIntrMasking ? s.hostIf || intercepted(c, VMEXIT.INTR) : (c.flags & IF) !== 0 || intercepted(c, VMEXIT.INTR);
}
