import { optionsFrom, startup } from 'rampart';
import { buildService } from './app.js';
import serviceConfig, { checks } from './config.js';

// Validates the configuration and the database before listening; exits 78/69 with a report otherwise.
const config = await startup(serviceConfig, { name: 'reference service', checks });
const host = config.HOST;
const port = config.PORT;

const app = await buildService({ rampart: optionsFrom(config) });
await app.listen({ host, port });
const base = `http://${host}:${port}`;
app.rampart.logger.info(`Rampart reference service listening on ${base}`);
process.stdout.write(`\n  Rampart reference service (${app.rampart.profile})\n  app       ${base}/\n  echo      ${base}/api/echo?message=hello\n  liveness  ${base}/health/live\n\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
