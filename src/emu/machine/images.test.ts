// The committed guest images (public/images/*.elf) must be exactly what
// `make -C guests` produces from the sources, and the workloads' native oracles
// (`make -C guests native`) must build and run.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatMachine } from './flat64';
import { WORKLOADS } from './workloads';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const guests = join(root, 'guests');
const imagesDir = join(root, 'public/images');

const nativeResults = new Map<string, bigint>();

const gccMissing = spawnSync('gcc', ['--version']).status !== 0;
const reason = gccMissing ? ' (SKIPPED: gcc not found; install gcc, binutils and make to check the guest images)' : '';

function make(...args: string[]): string {
  const r = spawnSync('make', ['-s', '-C', guests, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`make ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe.skipIf(gccMissing)(`guest images${reason}`, () => {
  const tmp = gccMissing ? '' : mkdtempSync(join(tmpdir(), 'pacifica-images-'));
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('make -C guests rebuilds public/images/*.elf byte for byte', () => {
    const out = join(tmp, 'out');
    const names = make('list').trim().split(/\s+/).filter(Boolean);
    expect(names.length).toBeGreaterThan(0);
    make(`OUT=${out}`, `BUILD=${join(tmp, 'build')}`);
    const differing: string[] = [];
    for (const name of names) {
      const committed = join(imagesDir, `${name}.elf`);
      const rebuilt = join(out, `${name}.elf`);
      expect(existsSync(rebuilt), `${rebuilt} was not built`).toBe(true);
      if (!existsSync(committed)) {
        differing.push(`${name}.elf: missing from public/images (run make -C guests)`);
        continue;
      }
      if (!readFileSync(committed).equals(readFileSync(rebuilt))) {
        differing.push(`${name}.elf: differs from a fresh build (run make -C guests and commit the result)`);
      }
    }
    expect(differing).toEqual([]);
  });

  it('make -C guests native builds an oracle per workload that prints its result', () => {
    const build = join(tmp, 'native-build');
    const names = make('list-native').trim().split(/\s+/).filter(Boolean);
    expect(names).toEqual(expect.arrayContaining(['bench-sieve', 'bench-sort', 'bench-checksum', 'bench-format']));
    make('native', `BUILD=${build}`);
    for (const name of names) {
      const exe = join(build, 'native', name);
      const r = spawnSync(exe, [], { encoding: 'utf8', timeout: 120_000 });
      expect(r.error, `${name}: ${r.error}`).toBeUndefined();
      expect(r.status, `${name} exit status; stderr: ${r.stderr}`).toBe(0);
      expect(r.stdout, `${name} output`).toMatch(/^\d+\n$/);
      const value = BigInt(r.stdout.trim());
      expect(value < 1n << 64n).toBe(true);
      // bench-sort returns 0xBAD0_..._xxxx / 0xBAD1_..._xxxx when its own self-check fails.
      expect(value >> 52n, `${name} reported a failed self-check`).not.toBe(0xbadn);
      nativeResults.set(name, value);
    }
  });

  // The instruction core runs each workload (~100M instructions of gcc -O2 code)
  // to the same result the host CPU computes from the same C source.
  it.each(WORKLOADS.map((w) => [w.name, w] as const))('the core computes %s exactly as the host CPU does', (_n, w) => {
    const m = new FlatMachine();
    const img = m.loadElf(readFileSync(join(imagesDir, w.image)));
    const r = m.run(2e9);
    expect(r.stop, r.fault).toBe('halt');
    const got = m.readU64(Number(img.lookup('bench_result')!.value));
    const native = nativeResults.get(w.image.replace(/\.elf$/, ''));
    expect(native, 'the native oracle ran first').toBeDefined();
    expect(got).toBe(native);
    expect(w.expected).toBe(native);
    console.log(`${w.name}: ${r.instructions} instructions, result ${got} (native ${native})`);
  }, 120_000);
});
