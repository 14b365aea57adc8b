#!/usr/bin/env node
// The `rampart` command. Runs the built CLI; inside a checkout without a
// build, run `npm run build` first or use `npm run rampart -- <command>`.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('rampart: the CLI is not built; run "npm run build" (or "npm run rampart -- <command>" in a checkout)\n');
  process.exit(70);
}
const { main } = await import(built.href);
process.exitCode = await main(process.argv.slice(2));
