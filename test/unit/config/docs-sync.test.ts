import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RAMPART_SETTINGS } from 'rampart';
import { parseDotenv } from '../../../src/config/dotenv.js';
import serviceConfig from '../../../examples/service/config.js';

const root = new URL('../../../', import.meta.url);
const example = readFileSync(new URL('.env.example', root), 'utf8');
const docs = readFileSync(new URL('docs/configuration.md', root), 'utf8');

describe('configuration docs stay in sync', () => {
  it('.env.example parses cleanly and lists every setting of the reference service', () => {
    const parsed = parseDotenv(example);
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.duplicates, []);
    const listed = new Set(parsed.entries.keys());
    for (const key of serviceConfig.keys) assert.ok(listed.has(key), `.env.example lacks ${key}`);
    for (const key of listed) assert.ok(serviceConfig.keys.includes(key) || key === 'NODE_ENV', `.env.example lists unknown ${key}`);
  });

  it('.env.example, copied as is, is a valid development configuration', () => {
    const values = Object.fromEntries([...parseDotenv(example).entries].map(([key, entry]) => [key, entry.value]));
    const result = serviceConfig.load({ env: values, envFiles: false });
    assert.deepEqual(result.errors, []);
    assert.equal(result.profile, 'development');
  });

  it('docs/configuration.md documents every Rampart setting', () => {
    for (const key of Object.keys(RAMPART_SETTINGS)) assert.match(docs, new RegExp(`^\\| \`${key}\` \\|`, 'm'), `${key} missing from the settings table`);
  });
});
