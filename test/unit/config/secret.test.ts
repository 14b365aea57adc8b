import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { Secret, createRampart, defineConfig, isSecret, revealed } from 'rampart';
import { LogCapture } from '../../support/capture-log.js';

const VALUE = 'sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';

describe('Secret', () => {
  it('reveal() is the only way to the value', () => {
    const secret = new Secret(VALUE);
    assert.equal(secret.reveal(), VALUE);
    assert.equal(revealed(secret), VALUE);
    assert.equal(revealed('plain'), 'plain');
    assert.ok(isSecret(secret));
    assert.ok(!isSecret(VALUE));
  });

  it('is redacted by every way of turning it into text', () => {
    const secret = new Secret(VALUE);
    const holder = { apiKey: secret, nested: { list: [secret] } };
    const outputs = {
      string: String(secret),
      template: `key=${secret}`,
      concat: 'key=' + secret,
      json: JSON.stringify(secret),
      jsonNested: JSON.stringify(holder),
      inspect: inspect(secret),
      inspectNested: inspect(holder, { depth: 10 }),
      formatS: format('%s', secret),
      formatO: format('%o', holder),
      formatJ: format('%j', holder),
      keys: JSON.stringify(Object.keys(secret)),
      spread: inspect({ ...secret }),
      clone: inspect(structuredClone(holder), { depth: 10 }),
    };
    for (const [path, output] of Object.entries(outputs)) assert.ok(!output.includes(VALUE), `${path} leaked: ${output}`);
    assert.equal(outputs.template, 'key=[redacted]');
    assert.equal(outputs.json, '"[redacted]"');
    assert.equal(outputs.inspect, 'Secret [redacted]');
  });

  it('cannot be altered', () => {
    const secret = new Secret(VALUE);
    assert.ok(Object.isFrozen(secret));
    assert.throws(() => {
      (secret as unknown as { reveal: () => string }).reveal = () => 'x';
    }, TypeError);
  });

  it('compares in constant time against secrets and strings', () => {
    const secret = new Secret(VALUE);
    assert.ok(secret.equals(VALUE));
    assert.ok(secret.equals(new Secret(VALUE)));
    assert.ok(!secret.equals(`${VALUE}x`));
    assert.ok(!secret.equals(''));
    assert.ok(!secret.equals(undefined as unknown as string));
  });

  it('is redacted in Rampart logs, whatever the key name and however it is passed', () => {
    const destination = new LogCapture();
    const rampart = createRampart({ profile: 'test', log: { destination, level: 'info' } });
    const secret = new Secret(VALUE);
    rampart.logger.info({ upstream: secret, nested: { deep: [secret] } }, 'object');
    rampart.logger.info(`template ${secret}`);
    rampart.logger.info('format %s %o %j', secret, { secret }, { value: secret });
    rampart.logger.info({ err: new Error(`failed with ${secret}`) }, 'error');
    assert.equal(destination.lines.length, 4);
    assert.ok(!destination.raw.includes(VALUE), destination.raw);
    assert.deepEqual(destination.lines[0]?.['upstream'], '[redacted]');
    assert.equal(destination.lines[1]?.['msg'], 'template [redacted]');
  });

  it('stays redacted when a whole loaded configuration is logged', () => {
    const config = defineConfig().parse({ env: { APP_ENV: 'test', SECRET_KEY: VALUE, REDIS_URL: `redis://:${VALUE}@127.0.0.1:6379` }, envFiles: false });
    const destination = new LogCapture();
    createRampart({ profile: 'test', log: { destination, level: 'info' } }).logger.info({ config }, 'config');
    assert.ok(!destination.raw.includes(VALUE), destination.raw);
    assert.ok(!inspect(config).includes(VALUE));
    assert.ok(!JSON.stringify(config).includes(VALUE));
  });
});
