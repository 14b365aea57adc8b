import type { AddressInfo } from 'node:net';
import { optionsFrom, startup } from 'rampart';
import { redisStore } from 'rampart/redis';
import { buildService } from './app.js';
import serviceConfig, { checks } from './config.js';

// Validates the configuration and the database before listening; exits 78/69 with a report otherwise.
const config = await startup(serviceConfig, { name: 'reference service', checks });

// Several instances share rate-limit counters through Redis when REDIS_URL is set; one instance counts in memory.
const rateLimitStore = config.REDIS_URL === undefined ? {} : { rateLimit: { store: redisStore({ url: config.REDIS_URL.reveal() }) } };
const app = await buildService({
  rampart: optionsFrom(config, rateLimitStore),
  databaseUrl: config.DATABASE_URL?.reveal() ?? 'sqlite:./data/development.sqlite',
  autoMigrate: config.AUTO_MIGRATE,
  docs: config.DOCS_ENABLED,
  ...(config.ADMIN_EMAIL !== undefined && config.ADMIN_PASSWORD !== undefined ? { admin: { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD.reveal() } } : {}),
});
// Rampart's lifecycle takes over from here: SIGTERM/SIGINT turn readiness
// off, drain in-flight requests, close the database and flush the logs.
await app.listen({ host: config.HOST, port: config.PORT });
app.rampart.health.markStarted();

const { port } = app.server.address() as AddressInfo;
const base = `http://${config.HOST}:${port}`;
app.rampart.logger.info(`reference service listening on ${base}`);
const links = [
  ['app', `${base}/login`],
  ['API', `${base}/api/notes`],
  ...(config.DOCS_ENABLED ? [['docs', `${base}/docs`]] : []),
  ['health', `${base}/health`],
  ['metrics', `${base}/metrics`],
];
process.stdout.write(`\n  Rampart reference service (${app.rampart.profile})\n${links.map(([name, url]) => `  ${String(name).padEnd(9)} ${String(url)}`).join('\n')}\n\n`);
