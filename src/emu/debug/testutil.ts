// Shared by the debugger's tests: boot an image from public/images under a Debugger.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Machine } from '../machine/machine';
import { Debugger } from './debugger';

export const IMAGES = fileURLToPath(new URL('../../../public/images/', import.meta.url));

export function image(name: string): Uint8Array {
  return readFileSync(join(IMAGES, name));
}

export function hasImage(name: string): boolean {
  return existsSync(join(IMAGES, name));
}

/** skeletal.elf with `ticks` timer ticks, its symbols loaded for the host. */
export function bootSkeletal(ticks = 3): { m: Machine; dbg: Debugger } {
  const m = new Machine();
  const bytes = image('skeletal.elf');
  m.bootMultiboot(bytes, { cmdline: `skeletal.elf skeletal name=x ticks=${ticks}` });
  const dbg = new Debugger(m);
  dbg.symbols.load('skeletal', bytes);
  return { m, dbg };
}

/** The SVM conformance suite, its symbols loaded for the host. */
export function bootSvmTests(opts: { logCapacity?: number } = {}): { m: Machine; dbg: Debugger } {
  const m = new Machine();
  const bytes = image('svm-tests.elf');
  m.bootMultiboot(bytes, { cmdline: 'svm-tests.elf' });
  const dbg = new Debugger(m, opts);
  dbg.symbols.load('svm-tests', bytes);
  return { m, dbg };
}
