import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/**
 * The public surface never grows by accident: every entry point's export
 * names are pinned in exports.snapshot.json. After an intended change, run
 * `UPDATE_EXPORTS=1 npm test -- test/unit/exports.test.ts` and commit the diff.
 */
const snapshotUrl = new URL('./exports.snapshot.json', import.meta.url);
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };

async function surface(): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const subpath of Object.keys(packageJson.exports)) {
    if (subpath === './package.json') continue;
    const specifier = subpath === '.' ? 'rampart' : `rampart/${subpath.slice(2)}`;
    result[specifier] = Object.keys((await import(specifier)) as object).sort();
  }
  return result;
}

describe('public surface', () => {
  it('matches the export snapshot', async () => {
    const actual = await surface();
    if (process.env['UPDATE_EXPORTS'] === '1') writeFileSync(snapshotUrl, `${JSON.stringify(actual, null, 2)}\n`);
    const expected = JSON.parse(readFileSync(snapshotUrl, 'utf8')) as unknown;
    assert.deepEqual(actual, expected);
  });

  it('maps every subpath to source, types and built JavaScript', () => {
    for (const [subpath, target] of Object.entries(packageJson.exports)) {
      if (subpath === './package.json') continue;
      // `source` first: the type-checker (customConditions) and tests then read src/, never a stale dist/.
      assert.deepEqual(Object.keys(target as object), ['source', 'types', 'default'], subpath);
    }
  });
});
