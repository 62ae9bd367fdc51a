// The one machine worker (src/worker/machine.worker.ts) behind comlink.
import * as Comlink from 'comlink';
import type { MachineWorkerApi } from '../../worker/protocol';

let api: Comlink.Remote<MachineWorkerApi> | null = null;

export function machine(): Comlink.Remote<MachineWorkerApi> {
  if (!api) {
    const worker = new Worker(new URL('../../worker/machine.worker.ts', import.meta.url), { type: 'module' });
    api = Comlink.wrap<MachineWorkerApi>(worker);
  }
  return api;
}

export const proxy = Comlink.proxy;
