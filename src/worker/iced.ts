// Loads iced-x86 (disassembly oracle, DESIGN.md principle 4) inside the worker.
//
// The npm package `iced-x86` is wasm-bindgen's *Node.js* build: CommonJS glue that does
// `require('util')` for TextDecoder/TextEncoder and `require('fs').readFileSync` for the wasm.
// Neither the browser nor vite's bundler can run that as is, and vite.config.ts is not ours to
// change. So the worker takes the glue as text (`?raw`) and the wasm as an emitted asset (`?url`),
// fetches the wasm, and evaluates the glue with a tiny CommonJS shim whose `fs.readFileSync`
// returns the fetched bytes. Synchronous `new WebAssembly.Module` is allowed in workers.
// Everything is loaded lazily, on the first disassembly request.
import type * as Iced from 'iced-x86';

export type IcedModule = typeof Iced;

let loading: Promise<IcedModule> | null = null;

export function loadIced(): Promise<IcedModule> {
  loading ??= (async () => {
    const [{ default: glue }, { default: wasmUrl }] = await Promise.all([
      import('iced-x86/iced_x86.js?raw'),
      import('iced-x86/iced_x86_bg.wasm?url'),
    ]);
    const resp = await fetch(wasmUrl);
    if (!resp.ok) throw new Error(`iced-x86 wasm: HTTP ${resp.status} for ${wasmUrl}`);
    const wasmBytes = new Uint8Array(await resp.arrayBuffer());
    const module: { exports: Record<string, unknown> } = { exports: {} };
    const shim: Record<string, unknown> = {
      util: { TextDecoder, TextEncoder },
      path: { join: (...parts: string[]) => parts.join('/') },
      fs: { readFileSync: () => wasmBytes },
    };
    const require = (name: string): unknown => {
      if (!(name in shim)) throw new Error(`iced-x86 glue wants unknown module '${name}'`);
      return shim[name];
    };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function('module', 'exports', 'require', '__dirname', glue) as (
      m: typeof module,
      e: Record<string, unknown>,
      r: typeof require,
      d: string,
    ) => void;
    factory(module, module.exports, require, '.');
    return module.exports as unknown as IcedModule;
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
