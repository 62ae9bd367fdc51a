// Run a multiboot kernel under QEMU (TCG) and capture its serial port: the oracle that
// Pacifica's own machine is compared against (same images, same serial log).
//
// The kernel and modules are copied into a fresh temporary directory and QEMU runs there
// with their base names, because QEMU's multiboot loader hands the guest the *file names*:
// the kernel's command line is "<kernel file> <cmdline>" and each module's string is the
// whole "-initrd" item ("<module file> <args>"). With base names the guest sees the same
// strings wherever the repository lives, e.g. "skeletal.elf skeletal name=guest1 ticks=5".
//
// Node only (child_process, fs): not for the browser bundle.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const QEMU_BINARY = 'qemu-system-x86_64';
export const QEMU_MISSING_MESSAGE =
  `${QEMU_BINARY} not found: install it with \`apt-get install -y qemu-system-x86\` (npm test needs it; it is not optional)`;

export interface QemuModule {
  /** Path of the module file. */
  file: string;
  /** Text after the file name in the module's multiboot string. */
  args?: string;
}

export interface RunQemuOptions {
  /** Path of the multiboot kernel image (ELF64 with the multiboot address fields is fine). */
  kernel: string;
  /** -append: the guest sees "<kernel base name> <cmdline>". */
  cmdline?: string;
  /** Multiboot modules, in order (-initrd "a.elf args,b.elf args"); a string is a file without args. */
  modules?: readonly (string | QemuModule)[];
  /** Wall-clock limit; the QEMU process is killed when it is reached. Default 60 000. */
  timeoutMs?: number;
  /** -m, in MiB. Default 128. */
  memoryMiB?: number;
  /** -cpu. Default "qemu64" (use e.g. "qemu64,+svm" for the HVMM). */
  cpu?: string;
  /** More QEMU arguments, appended last. */
  extraArgs?: readonly string[];
}

export interface QemuResult {
  /** QEMU's exit status (null if it was killed by a signal, e.g. on timeout). */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /**
   * The value the guest wrote to the isa-debug-exit port (0xF4), recovered from an odd
   * exit status (status = (value << 1) | 1); undefined for an even status or no status.
   * Note QEMU's own start-up errors also exit with 1, i.e. look like value 0: check stderr.
   */
  debugExit: number | undefined;
  /** Everything the guest sent to COM1, bytes as Latin-1 characters (\r\n as sent). */
  serial: string;
  /** serial split into lines ("\r\n" or "\n"), without a trailing empty line. */
  serialLines: string[];
  stderr: string;
  /** The QEMU command line used (file names relative to the run directory). */
  args: string[];
}

/** QEMU's version line, or undefined if qemu-system-x86_64 cannot be run. */
export function qemuVersion(): string | undefined {
  const r = spawnSync(QEMU_BINARY, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split('\n')[0]?.trim();
}

function qemuEscape(s: string): string {
  return s.replace(/,/g, ',,'); // QEMU option syntax: ',' inside a value is written ',,'
}

/**
 * Boot `kernel` under `qemu-system-x86_64 -accel tcg -machine pc -cpu qemu64 -m 128
 * -display none -no-reboot -nodefaults` with COM1 captured to a file and
 * isa-debug-exit at 0xF4 (size 4), wait for QEMU to exit or the timeout, and return
 * the exit status and the serial log. Rejects with QEMU_MISSING_MESSAGE if QEMU is
 * not installed.
 */
export async function runQemu(opts: RunQemuOptions): Promise<QemuResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  for (const f of [opts.kernel, ...(opts.modules ?? []).map((m) => (typeof m === 'string' ? m : m.file))]) {
    if (!existsSync(f)) throw new Error(`runQemu: ${f} does not exist`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pacifica-qemu-'));
  try {
    const used = new Set<string>();
    const place = (file: string): string => {
      const name = basename(file);
      if (used.has(name)) throw new Error(`runQemu: two files named ${name}`);
      used.add(name);
      copyFileSync(file, join(dir, name));
      return name;
    };
    const kernelName = place(opts.kernel);
    const moduleItems = (opts.modules ?? []).map((m) => {
      const mod = typeof m === 'string' ? { file: m } : m;
      const name = place(mod.file);
      return qemuEscape(mod.args ? `${name} ${mod.args}` : name);
    });
    const serialPath = join(dir, 'serial.log');
    const args = [
      '-accel', 'tcg',
      '-machine', 'pc',
      '-cpu', opts.cpu ?? 'qemu64',
      '-m', String(opts.memoryMiB ?? 128),
      '-display', 'none',
      '-no-reboot',
      '-nodefaults',
      '-chardev', `file,id=com1,path=${qemuEscape(serialPath)}`,
      '-serial', 'chardev:com1',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
      '-kernel', kernelName,
      ...(opts.cmdline !== undefined ? ['-append', opts.cmdline] : []),
      ...(moduleItems.length ? ['-initrd', moduleItems.join(',')] : []),
      ...(opts.extraArgs ?? []),
    ];

    const { exitCode, signal, timedOut, stderr } = await new Promise<{
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      timedOut: boolean;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(QEMU_BINARY, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      let timedOut = false;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        if (err.length < 1 << 16) err += d;
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(e.code === 'ENOENT' ? new Error(QEMU_MISSING_MESSAGE) : e);
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        resolve({ exitCode: code, signal: sig, timedOut, stderr: err });
      });
    });

    const serial = existsSync(serialPath) ? readFileSync(serialPath).toString('latin1') : '';
    const serialLines = serial.split(/\r?\n/);
    if (serialLines.length && serialLines[serialLines.length - 1] === '') serialLines.pop();
    const debugExit = exitCode !== null && exitCode % 2 === 1 ? exitCode >> 1 : undefined;
    return { exitCode, signal, timedOut, debugExit, serial, serialLines, stderr, args };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
