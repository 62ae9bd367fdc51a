// The full-system workload of `pacifica bench`, from Node: reads the images
// from public/images and runs the core (src/emu/bench/system-bench.ts).
import { readFileSync } from 'node:fs';
import { benchSystem as benchSystemCore, SYSTEM_IMAGES, type SystemBench } from '../emu/bench/system-bench.ts';
import { imagePath } from './bench.ts';

export type { SystemBench };

const image = (n: string): Uint8Array => readFileSync(imagePath(n));

export function benchSystem(runs: number, simMs = 400, jit?: boolean, lagSwitches?: number): SystemBench {
  return benchSystemCore(
    { hypervisor: image(SYSTEM_IMAGES.hypervisor), guests: SYSTEM_IMAGES.guests.map(image), lagGuest: image(SYSTEM_IMAGES.lagGuest) },
    { runs, simMs, jit, lagSwitches },
  );
}
