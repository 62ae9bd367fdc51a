// Reports whether the CPU core (src/emu/machine/flat64.ts) is present and working, as seen by the
// core worker (the UI itself never imports the emulator: all emulation runs in the worker).

import type { CoreInfo } from '../worker/protocol';

export interface CoreStatus {
  /** true when the worker constructed a FlatMachine */
  built: boolean;
  /** one-line human-readable summary shown in the panel */
  message: string;
  /** optional key/value facts for the panel (exports found, error text, ...) */
  details: Array<[string, string]>;
}

export const CORE_NOT_BUILT = 'CPU core not built yet';
export const CORE_LOADED = 'CPU core loaded (FlatMachine)';

export async function getCoreStatus(probe: () => Promise<CoreInfo>): Promise<CoreStatus> {
  try {
    const info = await probe();
    if (!info.built) {
      return { built: false, message: CORE_NOT_BUILT, details: [['flat64 exports', info.exports.join(', ') || '(none)']] };
    }
    return {
      built: true,
      message: CORE_LOADED,
      details: [
        ['flat64 exports', info.exports.join(', ')],
        ['runs in', 'Web Worker (module), comlink'],
        ['RAM', `${info.ramBytes >> 20} MiB, flat 64-bit, CPL 0, no paging`],
      ],
    };
  } catch (err) {
    return {
      built: false,
      message: CORE_NOT_BUILT,
      details: [['load error', err instanceof Error ? err.message : String(err)]],
    };
  }
}
