import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret, env } from 'rampart';
import type * as z from 'zod';

function ok<T>(schema: z.ZodType<T>, raw: string): T {
  const result = schema.safeParse(raw);
  assert.ok(result.success, `${JSON.stringify(raw)} should parse: ${result.error?.issues[0]?.message}`);
  return result.data as T;
}

function refused(schema: z.ZodType, raw: string): string {
  const result = schema.safeParse(raw);
  assert.ok(!result.success, `${JSON.stringify(raw)} should be refused`);
  return result.error.issues[0]?.message ?? '';
}

describe('env.boolean', () => {
  it('accepts exactly true/false/1/0/yes/no, in any case', () => {
    const schema = env.boolean();
    for (const raw of ['true', 'TRUE', 'True', '1', 'yes', 'YES', ' true ']) assert.equal(ok(schema, raw), true, raw);
    for (const raw of ['false', 'FALSE', '0', 'no', 'No']) assert.equal(ok(schema, raw), false, raw);
  });

  it('never reads "false" or a typo as true', () => {
    const schema = env.boolean();
    assert.equal(ok(schema, 'false'), false);
    for (const raw of ['ture', 'on', 'off', 'y', 'n', '2', '', 'enabled', 'null']) {
      assert.equal(refused(schema, raw), 'must be one of true, false, 1, 0, yes, no', raw);
    }
  });
});

describe('env.integer / env.number / env.port', () => {
  it('parses whole numbers within range', () => {
    const schema = env.integer({ min: 1, max: 10 });
    assert.equal(ok(schema, '7'), 7);
    assert.equal(ok(schema, ' 10 '), 10);
    assert.equal(refused(schema, '11'), 'must be between 1 and 10');
    assert.equal(refused(schema, '0'), 'must be between 1 and 10');
    for (const raw of ['1.5', '1e3', '0x10', '', 'ten', '5abc']) assert.equal(refused(schema, raw), 'must be a whole number', raw);
    assert.equal(refused(env.integer(), '99999999999999999999'), 'is too large');
  });

  it('parses decimals', () => {
    assert.equal(ok(env.number({ min: 0, max: 1 }), '0.25'), 0.25);
    assert.equal(refused(env.number({ min: 0, max: 1 }), '1.5'), 'must be between 0 and 1');
    assert.equal(refused(env.number(), 'NaN'), 'must be a number');
    assert.equal(refused(env.number(), 'Infinity'), 'must be a number');
  });

  it('checks ports', () => {
    assert.equal(ok(env.port(), '8080'), 8080);
    assert.equal(refused(env.port(), '0'), 'must be between 1 and 65535');
    assert.equal(ok(env.port({ allowZero: true }), '0'), 0);
    assert.equal(refused(env.port(), '65536'), 'must be between 1 and 65535');
  });
});

describe('env.duration', () => {
  it('reads durations with units as milliseconds', () => {
    const schema = env.duration();
    assert.equal(ok(schema, '500ms'), 500);
    assert.equal(ok(schema, '30s'), 30_000);
    assert.equal(ok(schema, '15m'), 900_000);
    assert.equal(ok(schema, '2h'), 7_200_000);
    assert.equal(ok(schema, '7d'), 604_800_000);
    assert.equal(ok(schema, '1w'), 604_800_000);
    assert.equal(ok(schema, '1h30m'), 5_400_000);
    assert.equal(ok(schema, '1.5s'), 1500);
  });

  it('refuses bare numbers unless a unit is declared, and anything else', () => {
    assert.match(refused(env.duration(), '30'), /with a unit/);
    assert.equal(ok(env.duration({ unit: 's' }), '86400'), 86_400_000);
    for (const raw of ['-5s', '5 seconds', '5x', 's', '', '1h 30m']) refused(env.duration(), raw);
  });

  it('checks the range and says it in units', () => {
    const schema = env.duration({ min: 1000, max: 3_600_000 });
    assert.equal(refused(schema, '500ms'), 'must be between 1s and 1h');
    assert.equal(refused(schema, '2h'), 'must be between 1s and 1h');
    assert.equal(ok(schema, '1h'), 3_600_000);
  });
});

describe('env.url / env.origin', () => {
  it('parses URLs with allowed schemes', () => {
    assert.equal(ok(env.url(), 'https://api.example.com/v1'), 'https://api.example.com/v1');
    assert.equal(refused(env.url(), 'ftp://example.com'), 'must be a http or https URL');
    assert.equal(refused(env.url(), 'example.com'), 'must be an absolute URL');
    assert.equal(ok(env.url({ protocols: ['amqp', 'amqps'] }), 'amqps://mq:5671'), 'amqps://mq:5671');
  });

  it('normalizes origins the way browsers send them', () => {
    assert.equal(ok(env.origin(), 'https://App.Example.com:443/'), 'https://app.example.com');
    assert.equal(ok(env.origin(), 'http://localhost:5173'), 'http://localhost:5173');
    assert.match(refused(env.origin(), 'https://example.com/path'), /no path/);
    assert.match(refused(env.origin(), 'example.com'), /origin like/);
    assert.match(refused(env.origin(), '*'), /origin like/);
    assert.equal(ok(env.origin({ allowWildcard: true }), '*'), '*');
  });
});

describe('env.list', () => {
  it('splits on commas (and newlines), trims and drops empty entries', () => {
    assert.deepEqual(ok(env.list(env.string()), ' a, b ,,c\nd '), ['a', 'b', 'c', 'd']);
    assert.deepEqual(ok(env.list(env.string()), ''), []);
  });

  it('accepts a JSON array, as pydantic settings write lists', () => {
    assert.deepEqual(ok(env.list(env.string()), '["example.com", "api.example.com"]'), ['example.com', 'api.example.com']);
    assert.match(refused(env.list(env.string()), '["a", 1]'), /JSON array of strings/);
    assert.match(refused(env.list(env.string()), '[not json'), /JSON array of strings/);
  });

  it('validates each entry and names the bad one', () => {
    assert.equal(refused(env.list(env.origin()), 'https://a.example.com,nope'), 'entry 2 must be an origin like https://example.com');
  });

  it('returns a frozen list', () => {
    assert.ok(Object.isFrozen(ok(env.list(env.string()), 'a,b')));
  });
});

describe('env.oneOf / env.string', () => {
  it('matches case-insensitively and understands aliases', () => {
    const schema = env.oneOf(['debug', 'info', 'warn'], { aliases: { warning: 'warn' } });
    assert.equal(ok(schema, 'INFO'), 'info');
    assert.equal(ok(schema, 'Warning'), 'warn');
    assert.equal(refused(schema, 'verbose'), 'must be one of debug, info, warn');
  });

  it('checks length and pattern', () => {
    assert.equal(refused(env.string({ min: 3 }), 'ab'), 'must be at least 3 characters');
    assert.equal(refused(env.string({ max: 3 }), 'abcd'), 'must be at most 3 characters');
    assert.equal(refused(env.string({ pattern: /^[a-z]+$/, description: 'lower-case letters' }), 'ABC'), 'must be lower-case letters');
  });
});

describe('env.secret and connection URLs', () => {
  it('wraps secrets and never puts their value in an issue', () => {
    const value = 'short-but-secret';
    assert.ok(ok(env.secret(), value) instanceof Secret);
    const result = env.secret({ minLength: 32 }).safeParse(value);
    assert.ok(!result.success);
    assert.ok(!JSON.stringify(result.error.issues).includes(value));
  });

  it('parses database and Redis URLs as secrets, refusing other schemes without echoing them', () => {
    const url = 'postgres://app:pa55word@db.internal:5432/app?sslmode=verify-full';
    assert.equal((ok(env.databaseUrl(), url) as Secret).reveal(), url);
    assert.ok(ok(env.databaseUrl(), 'sqlite:./data/app.sqlite') instanceof Secret);
    assert.ok(ok(env.redisUrl(), 'rediss://:pw@cache:6380/0') instanceof Secret);
    const result = env.redisUrl().safeParse('postgres://app:pa55word@db/app');
    assert.ok(!result.success);
    assert.equal(result.error.issues[0]?.message, 'must be a redis, rediss, valkey, valkeys URL');
    assert.ok(!JSON.stringify(result.error.issues).includes('pa55word'));
  });
});
