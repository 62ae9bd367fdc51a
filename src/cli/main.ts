// `pacifica` CLI: a subcommand dispatcher. Add a subcommand by adding an entry to `commands`;
// keep heavy imports inside `run` (dynamic import) so `pacifica --help` stays fast.
import { pathToFileURL } from 'node:url';

export interface Command {
  /** one line for `pacifica --help` */
  summary: string;
  /** usage line(s) shown by `pacifica help <command>` */
  usage?: string;
  /** runs the command; resolves to the process exit code */
  run(args: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  help: {
    summary: 'show this help, or help for one command',
    usage: 'pacifica help [command]',
    async run(args) {
      const name = args[0];
      if (name === undefined) {
        process.stdout.write(helpText());
        return 0;
      }
      const cmd = commands[name];
      if (!cmd) {
        process.stderr.write(`pacifica: unknown command '${name}'\n\n${helpText()}`);
        return 2;
      }
      process.stdout.write(`pacifica ${name}: ${cmd.summary}\n`);
      if (cmd.usage) process.stdout.write(`\nusage: ${cmd.usage}\n`);
      return 0;
    },
  },
  run: {
    summary: 'boot a multiboot kernel (and modules) on the whole PC, headless (default: the HVMM and its guests)',
    usage: 'pacifica run [KERNEL [MODULE[=CMDLINE] ...]] [--cmdline S] [--cpu MODEL[,+F,-F]] [--mhz N] [--sim-ms N] [--ram-mb N] [--json]',
    async run(args) {
      const { runCommand } = await import('./run.ts');
      return runCommand(args);
    },
  },
  bench: {
    summary: 'run the C workloads and the HVMM with its guests, report MIPS (median of runs); in Node or in Chromium',
    usage: 'pacifica bench [--json] [--runs N] [--workload NAME[,NAME]] [--jit|--interp|--both|--engines interp,jit|both] [--no-system|--system-only] [--sim-ms N] [--lag-switches N] [--sustained MILLIONS|--no-sustained]   (pin with: taskset -c 0)\n' +
      '       pacifica bench --browser [same options] [--no-live] [--live-seconds N] [--live-engine interp|jit] [--live-setup steady|default] [--build]   (the page in Chromium; both engines unless chosen)',
    async run(args) {
      const { benchCommand } = await import('./bench.ts');
      return benchCommand(args);
    },
  },
  experiment: {
    summary: "the paper's switch-lag experiment (Table 5): HVMM, two guests, three CPU clocks",
    usage: 'pacifica experiment [--mhz 1600,2000,2200] [--switches N] [--slice-ms N] [--log on|off|both] [--warmup N] [--idle-us N] [--probe] [--cpu MODEL] [--json]   (pin with: taskset -c 0)',
    async run(args) {
      const { experimentCommand } = await import('./experiment.ts');
      return experimentCommand(args);
    },
  },
  test: {
    summary: 'run everything CI runs: system deps, typecheck, unit tests, end-to-end tests',
    usage: 'pacifica test [--quick] [--no-e2e] [--no-system-deps]',
    async run(args) {
      const { runAll } = await import('./test-all.ts');
      return runAll(args);
    },
  },
};

export function helpText(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${commands[n]!.summary}`);
  return [
    'pacifica — x86-64 + AMD SVM lab (headless CLI)',
    '',
    'usage: pacifica <command> [options]',
    '       pacifica --help',
    '       pacifica help <command>',
    '',
    'commands:',
    ...lines,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    process.stdout.write(helpText());
    return 0;
  }
  const cmd = commands[first];
  if (!cmd) {
    process.stderr.write(`pacifica: unknown command '${first}'\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    return commands.help!.run([first]);
  }
  return cmd.run(rest);
}

// Allow `tsx src/cli/main.ts …` as well as the `pacifica` shim.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
