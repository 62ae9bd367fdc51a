// The one place the UI starts the core worker and wraps it with comlink.
import * as Comlink from 'comlink';
import type { CoreWorkerApi } from '../worker/protocol';

let client: Comlink.Remote<CoreWorkerApi> | null = null;

export function coreClient(): Comlink.Remote<CoreWorkerApi> {
  if (!client) {
    const worker = new Worker(new URL('../worker/core.worker.ts', import.meta.url), {
      type: 'module',
      name: 'pacifica-core',
    });
    client = Comlink.wrap<CoreWorkerApi>(worker);
  }
  return client;
}

export const proxy = Comlink.proxy;
