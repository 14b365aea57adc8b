// npm run loadtest [-- --url http://127.0.0.1:3000 --duration 20 --connections 20]
//
// A bounded load against the reference service on loopback: a signed-in
// programmatic client (bearer token) listing, reading and creating notes,
// 3 reads to 1 write. Without --url it starts the service itself in the
// production profile (SQLite in a temp dir, migrated first) and states the
// rate limits it ran with.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({ options: { url: { type: 'string' }, duration: { type: 'string', default: '20' }, connections: { type: 'string', default: '20' } } });
const duration = Math.min(120, Number(values.duration));
const connections = Math.min(200, Number(values.connections));
const root = new URL('..', import.meta.url).pathname;

/** The API limits the run uses: far above the load, so it measures the service, not the limiter (which has its own benchmark). */
const LIMITS = { RATE_LIMIT_API_MINUTE: '1000000/1m', RATE_LIMIT_API_HOUR: '10000000/1h' };

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startService(): Promise<{ url: string; child: ChildProcess; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-loadtest-'));
  const port = await freePort();
  const env = {
    ...process.env,
    APP_ENV: 'production',
    NODE_ENV: 'production',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    DATABASE_URL: `sqlite:${join(dir, 'data.sqlite')}`,
    LOG_FILE: join(dir, 'service.log'),
    METRICS_ENABLED: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    ...LIMITS,
  };
  const tsx = ['--conditions=source', '--import', 'tsx'];
  const migrated = spawnSync(process.execPath, [...tsx, join(root, 'examples/service/migrate.ts')], { env, encoding: 'utf8' });
  if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  const child = spawn(process.execPath, [...tsx, join(root, 'examples/service/main.ts')], { env, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`${url}/ready`).then((response) => response.ok, () => false);
    if (ready) return { url, child, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error('the service did not become ready in 20 s');
}

async function call(url: string, path: string, init: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

const service = values.url === undefined ? await startService() : undefined;
const url = values.url ?? service?.url ?? '';
try {
  const email = `load-${Date.now()}@example.test`;
  const password = 'correct horse battery staple';
  await call(url, '/api/auth/register', { method: 'POST', body: JSON.stringify({ email, password }) });
  const { token } = (await call(url, '/api/auth/tokens', { method: 'POST', body: JSON.stringify({ email, password, name: 'loadtest' }) })) as { token: string };
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const seeded = await call(url, '/api/notes', { method: 'POST', headers: auth, body: JSON.stringify({ title: 'seed', body: 'x'.repeat(200) }) });

  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      { method: 'GET', path: '/api/notes?limit=20', headers: auth },
      { method: 'GET', path: `/api/notes/${String(seeded['id'])}`, headers: auth },
      { method: 'POST', path: '/api/notes', headers: auth, body: JSON.stringify({ title: 'load', body: 'a note written under load' }) },
      { method: 'GET', path: '/api/notes?limit=5', headers: auth },
    ],
  });
  const total = result.requests.total;
  const failed = result.errors + result.timeouts + result.non2xx;
  console.log(`\nReference service load test: ${url} (${service === undefined ? 'running instance' : 'production profile, SQLite, started by this script'})`);
  console.log(`mix: per connection, in turn: list 20, get one, create one, list 5 (3 reads : 1 write), bearer-token client`);
  console.log(`rate limits: ${service === undefined ? 'those of the running instance' : Object.entries(LIMITS).map(([key, value]) => `${key}=${value}`).join(', ')}`);
  console.log(`${connections} connections for ${duration} s (node ${process.version})\n`);
  console.log(`requests      ${total}`);
  console.log(`throughput    ${Math.round(result.requests.average)} req/s`);
  console.log(`latency p50   ${result.latency.p50} ms`);
  console.log(`latency p99   ${result.latency.p99} ms`);
  console.log(`errors        ${failed} (${((failed / Math.max(1, total)) * 100).toFixed(2)}%)`);
  process.exitCode = failed === 0 ? 0 : 1;
} finally {
  service?.child.kill('SIGTERM');
  service?.cleanup();
}
