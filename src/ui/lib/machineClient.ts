// The one machine worker (src/worker/machine.worker.ts) behind comlink.
import * as Comlink from 'comlink';
import type { LessonWorkerApi, MachineWorkerApi } from '../../worker/protocol';

let api: Comlink.Remote<MachineWorkerApi & LessonWorkerApi> | null = null;

export function machine(): Comlink.Remote<MachineWorkerApi & LessonWorkerApi> {
  if (!api) {
    const worker = new Worker(new URL('../../worker/machine.worker.ts', import.meta.url), { type: 'module' });
    api = Comlink.wrap<MachineWorkerApi & LessonWorkerApi>(worker);
  }
  return api;
}

export const proxy = Comlink.proxy;
