// Rate-limit benchmarks, in one run, compared side by side: the machine is
// shared and noisy, so every contestant is measured in interleaved rounds and
// the median round is reported, as ratios.
//
//   npm run bench:ratelimit [-- --only memory,redis,bytes,pipeline,http --rounds 5]
//
// - memory: decisions/s of the memory store, 1 key and 100k keys, against
//   rate-limiter-flexible's RateLimiterMemory and express-rate-limit's MemoryStore;
// - redis: decisions/s on the same Redis at 1 and 32 concurrent callers, one
//   and two rules, against rate-limiter-flexible's RateLimiterRedis, with the
//   round trips per decision counted at the client;
// - bytes: heap + array-buffer bytes per tracked key with 1M keys;
// - http: Fastify + Rampart with one memory rule against bare Fastify.
// The table is printed and written to bench/results/rate-limit.md.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { MemoryStore as ErlStore } from 'express-rate-limit';
import { Redis } from 'ioredis';
import { Keyring, MemoryStore, createRampart, type LimitSpec } from 'rampart';
import { redisStore } from 'rampart/redis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { runHttp } from './rate-limit-http.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'memory,redis,bytes,pipeline,http' },
    rounds: { type: 'string', default: '5' },
    'http-seconds': { type: 'string', default: '3' },
    'redis-ms': { type: 'string', default: '1500' },
  },
});
const sections = new Set((values.only ?? '').split(','));
const rounds = Number(values.rounds);
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const out: string[] = [];
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const print = (line = ''): void => {
  console.log(line);
  out.push(line);
};
const median = (samples: number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const HIGH = 1_000_000_000; // limits no benchmark reaches: deciding is measured, not rejecting
const ip = (i: number): string => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

// ---------------------------------------------------------------- pipeline

/**
 * What one request costs the engine (begin → admit → finish, no framework)
 * when its rule admits it and when it rejects it: a flood of rejected
 * requests is when the limiter's own cost matters most.
 */
function benchPipeline(): void {
  // Room for every fresh client: past maxKeys they would share the overflow counter and be rejected, not admitted.
  const rampart = createRampart({ profile: 'production', log: { level: 'silent' }, securityLog: false, rateLimit: { store: new MemoryStore({ maxKeys: 500_000 }), rules: [{ name: 'bench', limit: 1, window: '1h' }] } });
  const view = (address: string) => ({ method: 'GET', url: '/api/notes', remoteAddress: address, encrypted: false, header: () => undefined });
  const blocked = view('198.51.100.1');
  const fresh = Array.from({ length: 400_000 }, (_, i) => view(ip(i)));
  const once = (request: ReturnType<typeof view>, status: number): void => {
    const state = rampart.begin(request);
    rampart.admit(state, request);
    rampart.finish(state, status);
  };
  once(blocked, 200); // its one admitted request: every later one is rejected
  const samples = { admitted: [] as number[], rejected: [] as number[] };
  const perRound = 50_000;
  for (let round = 0; round < rounds + 1; round++) {
    let started = performance.now();
    for (let i = 0; i < perRound; i++) once(fresh[round * perRound + i] as ReturnType<typeof view>, 200);
    const admitted = ((performance.now() - started) * 1000) / perRound;
    started = performance.now();
    for (let i = 0; i < perRound; i++) once(blocked, 429);
    const rejected = ((performance.now() - started) * 1000) / perRound;
    if (round > 0) {
      samples.admitted.push(admitted);
      samples.rejected.push(rejected);
    }
  }
  print('## Pipeline: an admitted and a rejected request');
  print();
  print(`The engine alone (begin → admit → finish; no framework, log silent), one memory-store rule, median of ${rounds} rounds of ${fmt(perRound)} requests; admitted requests each come from a new client.`);
  print();
  print('| request | µs |');
  print('|---|---:|');
  print(`| admitted | ${median(samples.admitted).toFixed(2)} |`);
  print(`| rejected (429 problem rendered) | ${median(samples.rejected).toFixed(2)} |`);
  print();
  void rampart.close();
}

// ---------------------------------------------------------------- memory
type Runner = (keys: readonly string[], deadline: number) => Promise<number>;

/**
 * CPU milliseconds this process has used. The memory contestants are
 * single-threaded loops, so decisions per CPU-second is their speed with the
 * time other processes on a shared machine take from them left out.
 */
const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

function memoryContestants(): Record<string, () => Runner> {
  const spec: LimitSpec = Object.freeze({ id: 'bench', algorithm: 'sliding-window', limit: HIGH, windowMs: 60_000, burst: HIGH });
  return {
    'rampart MemoryStore (sync)': () => {
      const store = new MemoryStore({ maxKeys: 200_000 });
      return async (keys, deadline) => {
        let n = 0;
        while (cpuMs() < deadline) {
          for (let i = 0; i < 10_000; i++) if (!store.consume([{ spec, key: keys[(n + i) % keys.length] as string, cost: 1 }]).allowed) throw new Error('rejected');
          n += 10_000;
        }
        return n;
      };
    },
    'rampart MemoryStore (awaited)': () => {
      const store = new MemoryStore({ maxKeys: 200_000 });
      return async (keys, deadline) => {
        let n = 0;
        while (cpuMs() < deadline) {
          for (let i = 0; i < 10_000; i++) if (!(await store.consume([{ spec, key: keys[(n + i) % keys.length] as string, cost: 1 }])).allowed) throw new Error('rejected');
          n += 10_000;
        }
        return n;
      };
    },
    'rate-limiter-flexible RateLimiterMemory': () => {
      const limiter = new RateLimiterMemory({ points: HIGH, duration: 60 });
      return async (keys, deadline) => {
        let n = 0;
        while (cpuMs() < deadline) {
          for (let i = 0; i < 10_000; i++) await limiter.consume(keys[(n + i) % keys.length] as string);
          n += 10_000;
        }
        return n;
      };
    },
    'express-rate-limit MemoryStore': () => {
      const store = new ErlStore();
      store.init({ windowMs: 60_000 } as never);
      return async (keys, deadline) => {
        let n = 0;
        while (cpuMs() < deadline) {
          for (let i = 0; i < 10_000; i++) if ((await store.increment(keys[(n + i) % keys.length] as string)).totalHits > HIGH) throw new Error('rejected');
          n += 10_000;
        }
        return n;
      };
    },
  };
}

async function benchMemory(): Promise<void> {
  const keySets: [string, string[]][] = [
    ['1 key', ['203.0.113.1']],
    ['100k keys', Array.from({ length: 100_000 }, (_, i) => ip(i))],
  ];
  print('## Memory store: decisions per CPU-second');
  print();
  print(`Median of ${rounds} interleaved rounds of ~400 ms of CPU each; one sliding-window rule (Rampart's default; the others count fixed windows); every key warmed first.`);
  print();
  const clockShares: [string, number][] = [];
  print('| keys | contestant | decisions/s | vs the faster competitor |');
  print('|---|---|---:|---:|');
  for (const [label, keys] of keySets) {
    const contestants = Object.entries(memoryContestants()).map(([name, make]) => ({ name, run: make(), samples: [] as number[] }));
    for (const contestant of contestants) await contestant.run(keys, cpuMs() + 300); // warm-up, fills every key
    for (let round = 0; round < rounds; round++) {
      for (const contestant of contestants) {
        const started = cpuMs();
        const n = await contestant.run(keys, started + 400);
        contestant.samples.push(n / ((cpuMs() - started) / 1000));
      }
    }
    const rates = new Map(contestants.map((contestant) => [contestant.name, median(contestant.samples)]));
    const competitor = Math.max(rates.get('rate-limiter-flexible RateLimiterMemory') ?? 0, rates.get('express-rate-limit MemoryStore') ?? 0);
    for (const [name, rate] of rates) print(`| ${label} | ${name} | ${fmt(rate)} | ${(rate / competitor).toFixed(2)}× |`);
    log(`memory ${label} done`);
    clockShares.push([label, 1e9 / competitor]);
  }
  print();
  // Every contestant reads the clock once per decision; on a virtual machine whose clock source has no fast path, that read is a large share of the whole decision.
  const clock = clockReadNs();
  print(`One clock read (\`Date.now()\`) costs ${clock.toFixed(0)} ns on this machine: ${clockShares.map(([label, ns]) => `${Math.round((100 * clock) / ns)}% of the faster competitor's decision with ${label}`).join(', ')}.`);
  print();
}

/** Nanoseconds per `Date.now()`, the median of five runs of a million reads. */
function clockReadNs(): number {
  const samples: number[] = [];
  let sink = 0;
  for (let run = 0; run < 5; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1_000_000; i++) sink += Date.now();
    samples.push(Number(process.hrtime.bigint() - started) / 1_000_000);
  }
  if (sink === 0) log('clock stood still');
  return median(samples);
}

// ---------------------------------------------------------------- redis
/** A client whose commands are counted: each is one request/response with Redis. */
async function countingClient(): Promise<{ client: Redis; commands: () => number }> {
  const client = new Redis(REDIS_URL);
  let commands = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
    commands++;
    return send(command, stream);
  }) as Redis['sendCommand'];
  await new Promise((resolve) => client.once('ready', resolve));
  return { client, commands: () => commands };
}

/** Redis's own time per EVALSHA since the last RESETSTAT (`INFO commandstats`), scripts' commands included. */
async function evalshaMicros(client: Redis): Promise<number> {
  const stats = await client.info('commandstats');
  return Number(/cmdstat_evalsha:.*usec_per_call=([\d.]+)/.exec(stats)?.[1] ?? Number.NaN);
}

async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

type RedisContestant = 'rampart, sliding window' | 'rampart, fixed window' | 'rate-limiter-flexible';

async function benchRedis(): Promise<void> {
  const prefix = `rampart-bench:${process.pid}:`;
  const keys = Array.from({ length: 10_000 }, (_, i) => ip(i));
  const spec = (id: string, algorithm: 'sliding-window' | 'fixed-window', windowMs: number): LimitSpec => Object.freeze({ id, algorithm, limit: HIGH, windowMs, burst: HIGH });
  const slidingSide = await countingClient();
  const fixedSide = await countingClient();
  const rlfSide = await countingClient();
  // Rampart's decision includes what its gate does: the limiter's keyed hash of the client (cached per client, as in production).
  const limiter = createRampart({ profile: 'test', keyring: new Keyring('benchmark-secret-benchmark-secret'), log: { level: 'silent' } }).rateLimit;
  const sliding = redisStore({ client: slidingSide.client, prefix: `${prefix}sliding:`, timeoutMs: 2000 });
  const fixed = redisStore({ client: fixedSide.client, prefix: `${prefix}fixed:`, timeoutMs: 2000 });
  const windows = { 'sliding-window': [spec('a', 'sliding-window', 60_000), spec('b', 'sliding-window', 3_600_000)], 'fixed-window': [spec('a', 'fixed-window', 60_000), spec('b', 'fixed-window', 3_600_000)] };
  const rlfA = new RateLimiterRedis({ storeClient: rlfSide.client, points: HIGH, duration: 60, keyPrefix: `${prefix}rlf:a` });
  const rlfB = new RateLimiterRedis({ storeClient: rlfSide.client, points: HIGH, duration: 3600, keyPrefix: `${prefix}rlf:b` });
  const rampartDecide = (store: typeof sliding, specs: LimitSpec[], rules: 1 | 2) => (key: string) => {
    const hashed = limiter.hashKey(key);
    return store.consume(rules === 1 ? [{ spec: specs[0] as LimitSpec, key: hashed, cost: 1 }] : specs.map((s) => ({ spec: s, key: hashed, cost: 1 })));
  };
  const decide: Record<RedisContestant, Record<1 | 2, (key: string) => Promise<unknown>>> = {
    'rampart, sliding window': { 1: rampartDecide(sliding, windows['sliding-window'], 1), 2: rampartDecide(sliding, windows['sliding-window'], 2) },
    'rampart, fixed window': { 1: rampartDecide(fixed, windows['fixed-window'], 1), 2: rampartDecide(fixed, windows['fixed-window'], 2) },
    // Both limiters at once, as RateLimiterUnion does: two commands, in parallel.
    'rate-limiter-flexible': { 1: (key) => rlfA.consume(key), 2: (key) => Promise.all([rlfA.consume(key), rlfB.consume(key)]) },
  };
  const commandsOf: Record<RedisContestant, () => number> = { 'rampart, sliding window': slidingSide.commands, 'rampart, fixed window': fixedSide.commands, 'rate-limiter-flexible': rlfSide.commands };
  const durationMs = Number(values['redis-ms']);
  const rows: { rules: 1 | 2; concurrency: number; lib: RedisContestant; rates: number[]; trips: number; redisMicros: number[] }[] = [];
  for (const rules of [1, 2] as const) {
    for (const concurrency of [1, 32]) {
      for (const lib of Object.keys(decide) as RedisContestant[]) rows.push({ rules, concurrency, lib, rates: [], trips: 0, redisMicros: [] });
    }
  }
  const redisRounds = Math.max(3, Math.ceil(rounds / 2));
  for (let round = 0; round <= redisRounds; round++) {
    for (const row of rows) {
      const fn = decide[row.lib][row.rules];
      let next = 0;
      let decisions = 0;
      await slidingSide.client.config('RESETSTAT'); // every contestant runs its script with EVALSHA: Redis's own time per call, this row only
      const commandsBefore = commandsOf[row.lib]();
      const deadline = performance.now() + (round === 0 ? 300 : durationMs); // round 0 warms up (and loads scripts)
      const started = performance.now();
      await Promise.all(
        Array.from({ length: row.concurrency }, async () => {
          while (performance.now() < deadline) {
            await fn(keys[next++ % keys.length] as string);
            decisions++;
          }
        }),
      );
      if (round === 0) continue;
      row.rates.push(decisions / ((performance.now() - started) / 1000));
      row.trips = (commandsOf[row.lib]() - commandsBefore) / decisions;
      row.redisMicros.push(await evalshaMicros(slidingSide.client));
    }
    log(`redis round ${round} done`);
  }
  print('## Redis store: decisions per second on the same Redis');
  print();
  print(
    `Median of ${redisRounds} interleaved rounds of ${durationMs} ms; Redis at ${new URL(REDIS_URL).host}; 10k client keys (their keyed hashes fit the limiter's cache); round trips counted at the client; Redis µs per call from \`INFO commandstats\` (the script's own commands included). rate-limiter-flexible counts fixed windows; Rampart is shown with its default (sliding window) and with fixed windows, like for like.`,
  );
  print();
  print('| rules | concurrent callers | contestant | decisions/s | vs rate-limiter-flexible | round trips per decision | Redis µs per call |');
  print('|---:|---:|---|---:|---:|---:|---:|');
  for (const row of rows) {
    const rate = median(row.rates);
    const other = rows.find((candidate) => candidate.rules === row.rules && candidate.concurrency === row.concurrency && candidate.lib === 'rate-limiter-flexible') as (typeof rows)[number];
    print(`| ${row.rules} | ${row.concurrency} | ${row.lib} | ${fmt(rate)} | ${(rate / median(other.rates)).toFixed(2)}× | ${row.trips.toFixed(2)} | ${median(row.redisMicros).toFixed(1)} |`);
  }
  print();
  const sample = (await slidingSide.client.scan('0', 'MATCH', `${prefix}sliding:*`, 'COUNT', 1000))[1][0];
  if (sample !== undefined) {
    const bytes = (await slidingSide.client.call('MEMORY', 'USAGE', sample)) as number;
    print(`Redis memory per counter: \`MEMORY USAGE\` reports ${bytes} bytes for \`${sample.replace(prefix, '<prefix>')}\` (key, 24-byte value, expiry).`);
    print();
  }
  await deletePrefix(slidingSide.client, prefix);
  await Promise.all([sliding.close(), fixed.close()]);
  for (const side of [slidingSide, fixedSide, rlfSide]) side.client.disconnect();
}

// ---------------------------------------------------------------- bytes
async function benchBytes(): Promise<void> {
  print('## Memory per tracked key (1M keys)');
  print();
  print('Heap plus array buffers grown by filling a store with 1M distinct IPv4 keys, in a fresh process each (the key strings the store keeps are included, about 32 bytes each).');
  print();
  print('| store | bytes per key |');
  print('|---|---:|');
  for (const store of ['rampart', 'rate-limiter-flexible', 'express-rate-limit']) {
    const child = fork(new URL('./rate-limit-bytes.ts', import.meta.url), [store], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const bytes = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { bytesPerKey: number }) => resolve(message.bytesPerKey));
      child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${store} exited with ${code}`))));
    });
    print(`| ${store === 'rampart' ? 'rampart MemoryStore' : store} | ${bytes.toFixed(0)} |`);
    log(`bytes ${store} done`);
  }
  print();
}

// ---------------------------------------------------------------- run
print('# Rate-limit benchmark');
print();
print(`\`npm run bench:ratelimit\` on node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()[0]?.toFixed(2)} at start, ${new Date().toISOString().slice(0, 10)}.`);
print();
if (sections.has('memory')) await benchMemory();
if (sections.has('redis')) await benchRedis();
if (sections.has('bytes')) await benchBytes();
if (sections.has('pipeline')) benchPipeline();
if (sections.has('http')) {
  const seconds = Number(values['http-seconds']);
  const httpRounds = rounds;
  const rows = await runHttp({ seconds, rounds: httpRounds, connections: 50, log });
  print('## HTTP: Fastify with a memory-store rule');
  print();
  print(`autocannon, 50 connections, ${seconds} s per measurement after a 2 s warm-up, ${httpRounds} interleaved rounds, each server started afresh in its own process; ratios are taken within a round (the machine's speed drifts), their median shown.`);
  print();
  print('| server | req/s | p99 ms | vs bare Fastify | vs Rampart without a rule |');
  print('|---|---:|---:|---:|---:|');
  for (const row of rows) print(`| ${row.name} | ${fmt(row.rps)} | ${row.p99} | ${row.ratio.toFixed(2)}× | ${row.name.includes('rampart') ? `${row.vsNoRule.toFixed(2)}×` : ''} |`);
  print();
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/rate-limit.md', import.meta.url), `${out.join('\n')}\n`);
process.exit(0);
