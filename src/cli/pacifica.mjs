#!/usr/bin/env node
// `pacifica` command shim: registers tsx's TypeScript loader in this process, then runs
// src/cli/main.ts with the user's arguments and exits with its exit code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = typeof code === 'number' ? code : 0;
