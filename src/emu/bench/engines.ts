// The two engines the bench compares: the interpreter and the block compiler
// (cpu.jit, src/emu/cpu/jit). Named, not booleans, because the names are what
// the JSON report and the tables show.
import { FlatMachine } from '../machine/flat64';

export type Engine = 'interpreter' | 'block compiler';

export const ENGINES: readonly Engine[] = ['interpreter', 'block compiler'];

export const engineJit = (e: Engine): boolean => e === 'block compiler';

export const engineOf = (jit: boolean): Engine => (jit ? 'block compiler' : 'interpreter');

/** The engine a fresh CPU uses when nobody chooses (cpu.jit's default). */
export function defaultEngine(): Engine {
  return engineOf(new FlatMachine(1 << 16).cpu.jit);
}

/** "both", "interp", "jit", "interpreter,block compiler", ... as engines (the CLI's --engines, the page's engines=). */
export function parseEngines(s: string): Engine[] {
  if (s.trim() === 'both') return [...ENGINES];
  return s.split(',').map((t) => {
    const n = t.trim();
    if (n === 'interp' || n === 'interpreter') return 'interpreter';
    if (n === 'jit' || n === 'block compiler' || n === 'blocks') return 'block compiler';
    throw new Error(`unknown engine '${n}' (interp, jit or both)`);
  });
}
