#!/usr/bin/env node
// Runs the test suite with Node's own runner, TypeScript loaded through tsx.
// Usage: npm test [-- <file or folder> ...]
// Default: every *.test.ts under test/ except test/reliability, which has its
// own command (npm run test:reliability) because its fault and soak scenarios
// take minutes.
// Node 20 has no globs for --test, so the files are collected here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const targets = args.length > 0 ? args : ['test'];
const skipped = args.length > 0 ? new Set() : new Set([join(root, 'test', 'reliability')]);

function collect(path, out) {
  const stat = statSync(path);
  if (stat.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry === 'fixtures' || skipped.has(join(path, entry))) continue;
    collect(join(path, entry), out);
  }
  return out;
}

const files = targets.flatMap((target) => collect(join(root, target), [])).map((file) => relative(root, file));
if (files.length === 0) {
  console.error(`no test files under ${targets.join(', ')}`);
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '3';
// Each file is one test to the runner: a reliability file (the soak runs two
// minutes of load) gets five minutes, everything else two.
const timeout = process.env.TEST_TIMEOUT ?? (files.some((file) => file.startsWith('test/reliability/')) ? '300000' : '120000');
const child = spawn(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
