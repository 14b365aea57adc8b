import { buildService } from './app.js';

const host = process.env['HOST'] ?? '127.0.0.1';
const port = Number(process.env['PORT'] ?? 3000);

const app = await buildService();
await app.listen({ host, port });
const base = `http://${host}:${port}`;
app.rampart.logger.info(`Rampart reference service listening on ${base}`);
process.stdout.write(`\n  Rampart reference service (${app.rampart.profile})\n  app       ${base}/\n  echo      ${base}/api/echo?message=hello\n  liveness  ${base}/health/live\n\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
