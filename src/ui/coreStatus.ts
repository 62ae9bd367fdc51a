// Reports whether the CPU core (src/emu/machine/flat64.ts) is present and loadable.
//
// import.meta.glob (instead of a plain `import('../emu/machine/flat64')`) keeps both `vite build`
// and `tsc --noEmit` green while the module does not exist yet: the glob simply matches nothing.
// It is still a lazy dynamic import, split into its own chunk.

export interface CoreStatus {
  /** true when the core module was found and imported without error */
  built: boolean;
  /** one-line human-readable summary shown in the panel */
  message: string;
  /** optional key/value facts for the panel (exports found, error text, ...) */
  details: Array<[string, string]>;
}

type ModuleLoader = () => Promise<Record<string, unknown>>;

const coreModules = import.meta.glob<Record<string, unknown>>('../emu/machine/flat64.ts');

export const CORE_NOT_BUILT = 'CPU core not built yet';

export async function getCoreStatus(
  loaders: Record<string, ModuleLoader> = coreModules,
): Promise<CoreStatus> {
  const load = Object.values(loaders)[0];
  if (!load) {
    return { built: false, message: CORE_NOT_BUILT, details: [] };
  }
  try {
    const mod = await load();
    const exportsFound = Object.keys(mod).sort();
    if (typeof mod.FlatMachine !== 'function') {
      return {
        built: false,
        message: CORE_NOT_BUILT,
        details: [['flat64 exports', exportsFound.join(', ') || '(none)']],
      };
    }
    return {
      built: true,
      message: 'CPU core loaded (FlatMachine)',
      details: [['flat64 exports', exportsFound.join(', ')]],
    };
  } catch (err) {
    return {
      built: false,
      message: CORE_NOT_BUILT,
      details: [['load error', err instanceof Error ? err.message : String(err)]],
    };
  }
}
