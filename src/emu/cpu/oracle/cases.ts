// Generates instruction snippets and initial states for the native oracle: every
// generator of cases-arith.ts, cases-data.ts and cases-control.ts, in that order (then the
// byte compare-and-branch cases and the runs of register instructions, added later)
// (the shared pieces are in cases-kit.ts).
import { CODE_BASE } from './native';
import { Rng, type Gen, type GenCase } from './cases-kit';
import { arithmeticCases } from './cases-arith';
import { dataCases } from './cases-data';
import { controlCases, byteJccCases } from './cases-control';
import { runCases, stackCornerCases, ripRelativeCases, nonCanonicalMemCases } from './cases-runs';

export { Rng, val64, type GenCase, type Size } from './cases-kit';

const gens: Array<[string, Gen]> = [];
const add = (name: string, g: Gen) => gens.push([name, g]);
arithmeticCases(add);
dataCases(add);
controlCases(add);
byteJccCases(add); // added later, after the others: the generators before it keep their cases
runCases(add);
stackCornerCases(add);
ripRelativeCases(add);
nonCanonicalMemCases(add);

export const GENERATORS: ReadonlyArray<readonly [string, Gen]> = gens;

/** n cases spread round-robin over all generators, reproducible from the seed. */
export function generateCases(n: number, seed: number): GenCase[] {
  const r = new Rng(seed);
  const out: GenCase[] = [];
  for (let k = 0; k < n; k++) {
    const [, g] = gens[k % gens.length]!;
    out.push(g(r));
  }
  return out;
}

export { CODE_BASE };
