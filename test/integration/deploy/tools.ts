import { execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';

const found = new Map<string, boolean>();

/** Whether `tool` is on the PATH. */
export function onPath(tool: string): boolean {
  let present = found.get(tool);
  if (present === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      present = true;
    } catch {
      present = false;
    }
    found.set(tool, present);
  }
  return present;
}

/**
 * Skips the test, loudly, when a Debian tool is missing — except under
 * CI=true, where scripts/ci/ensure-services.sh installs it and a missing tool
 * fails the run instead of silently passing it.
 */
export function requireTool(t: TestContext, tool: string, debianPackage: string): boolean {
  if (onPath(tool)) return true;
  const message = `${tool} is not installed (Debian: apt-get install -y ${debianPackage}, or run scripts/ci/ensure-services.sh)`;
  if (process.env['CI'] === 'true') throw new Error(`${message} (CI=true: integration tests may not skip)`);
  console.warn(`\n!!! SKIPPED: ${message}\n`);
  t.skip(message);
  return false;
}
