// `pacifica run [KERNEL [MODULE[=CMDLINE] ...]] [--cmdline S] [--cpu MODEL[,+F,-F]] [--mhz N] [--sim-ms N] [--ram-mb N] [--json]`:
// without a kernel it boots the lab's default setup (default-setup.ts: the HVMM and four guests).
// boot a multiboot kernel (with modules) on the whole PC, headless, and print the serial output.
// --cpu picks a CPU model (k8, fam10h, zen) and switches SVM features on or off, e.g. zen,-NP.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETUP } from '../emu/machine/default-setup.ts';
import { Machine } from '../emu/machine/machine.ts';
import { parseCpu } from '../emu/cpu/models.ts';
import type { CpuModel } from '../emu/cpu/cpuid.ts';
import { exitName } from '../emu/svm/exitcodes.ts';

function usage(msg: string): number {
  process.stderr.write(`pacifica run: ${msg}\nusage: pacifica run [KERNEL [MODULE[=CMDLINE] ...]] [--cmdline S] [--cpu MODEL[,+F,-F]] [--mhz N] [--sim-ms N] [--ram-mb N] [--json]\n`);
  return 2;
}

/** #VMEXITs by exit-code name, over every VM (VMEXIT_INVALID counted too). */
function vmexitCounts(m: Machine): Record<string, number> {
  const out: Record<string, number> = {};
  for (const vm of m.cpu.svm.vms.byAsid.values()) {
    for (const [code, n] of vm.exitCounts) out[exitName(code)] = (out[exitName(code)] ?? 0) + n;
  }
  const invalid = m.cpu.svm.invalidCount;
  if (invalid > 0) out.INVALID = invalid;
  return out;
}


export async function runCommand(args: string[]): Promise<number> {
  const files: string[] = [];
  let cmdline: string | undefined;
  let mhz = 2000, simMs = 1000, ramMb = 128, json = false;
  let cpuModel: CpuModel | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const val = () => { const v = args[++k]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    try {
      if (a === '--cmdline') cmdline = val();
      else if (a === '--cpu') cpuModel = parseCpu(val());
      else if (a === '--mhz') mhz = Number(val());
      else if (a === '--sim-ms') simMs = Number(val());
      else if (a === '--ram-mb') ramMb = Number(val());
      else if (a === '--json') json = true;
      else if (a.startsWith('--')) return usage(`unknown option ${a}`);
      else files.push(a);
    } catch (e) {
      return usage((e as Error).message);
    }
  }
  let defaultCmdline: string | undefined;
  if (files.length === 0) {
    // No kernel: the lab's default setup, the HVMM with its four guests.
    const images = fileURLToPath(new URL('../../public/images/', import.meta.url));
    files.push(join(images, DEFAULT_SETUP.hypervisor.image));
    for (const g of DEFAULT_SETUP.guests) files.push(`${join(images, g.image)}=${g.cmdline}`);
    defaultCmdline = DEFAULT_SETUP.hypervisor.cmdline.split(' ').slice(1).join(' ');
  }
  cmdline ??= defaultCmdline;
  if (!(mhz > 0) || !(simMs > 0) || !(ramMb >= 2)) return usage('--mhz, --sim-ms and --ram-mb need positive numbers (RAM at least 2 MiB)');
  const [kernelPath, ...modSpecs] = files;
  let kernel: Uint8Array;
  try {
    kernel = readFileSync(kernelPath!);
  } catch (e) {
    process.stderr.write(`pacifica run: cannot read ${kernelPath}: ${(e as Error).message}\n`);
    return 1;
  }
  const modules = modSpecs.map((spec) => {
    const eq = spec.indexOf('=');
    const file = eq >= 0 ? spec.slice(0, eq) : spec;
    return { bytes: readFileSync(file), cmdline: eq >= 0 ? spec.slice(eq + 1) : basename(file) };
  });
  const m = new Machine({ ramMiB: ramMb, cpuHz: Math.round(mhz * 1e6), cpuModel });
  try {
    // Like QEMU and GRUB, the kernel's command line starts with its file name.
    m.bootMultiboot(kernel, { cmdline: `${basename(kernelPath!)}${cmdline ? ` ${cmdline}` : ''}`, modules });
  } catch (e) {
    process.stderr.write(`pacifica run: ${(e as Error).message}\n`);
    return 1;
  }
  const stop = m.run((simMs / 1000) * m.cpuHz);
  const stopText = stop.kind === 'debug-exit' ? `debug-exit with code ${stop.code}` : stop.kind === 'time' ? 'time' : `${stop.kind}: ${'reason' in stop ? stop.reason : ''}`;
  if (json) {
    process.stdout.write(JSON.stringify({
      serial: m.serial(),
      screens: { host: m.screen(), guests: m.guestScreens() },
      instructions: m.cpu.instructions,
      cycles: m.cpu.cycles,
      simSeconds: m.simSeconds,
      hostSeconds: m.hostSeconds,
      stop: stop.kind === 'debug-exit' ? { kind: 'debug-exit', code: stop.code } : stop,
      cpu: m.cpu.model.name,
      svm: { vmruns: m.cpu.svm.vmruns, exits: m.cpu.svm.exits },
      vmexits: vmexitCounts(m),
      // A world switch is either direction: VMRUN into a guest or #VMEXIT out of it.
      worldSwitches: m.cpu.svm.vmruns + m.cpu.svm.exits,
    }) + '\n');
  } else {
    process.stdout.write(m.serial());
    process.stderr.write(`[pacifica] stopped: ${stopText}; ${m.cpu.instructions} instructions, ${m.simSeconds.toFixed(4)} simulated s, ${m.hostSeconds.toFixed(3)} host s\n`);
  }
  return stop.kind === 'internal' ? 1 : 0;
}
