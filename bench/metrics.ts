// What per-request metrics cost, compared side by side in one run: the
// machine is shared and noisy, so the contestants run in interleaved rounds
// and the median round is reported, as ratios to the plain prom-client way.
//
//   npm run bench:metrics [-- --rounds 7 --requests 200000]
//
// - rampart: what the pipeline does per request — the in-flight counter, the
//   OpenTelemetry histogram through the series cap, the error counter when
//   the response has a problem code;
// - prom-client: the same work written directly against prom-client, as
//   express-prom-bundle / fastify-metrics do — a labelled histogram
//   observation, an in-flight gauge, an error counter by code — with no cap;
// - scrape: rendering /metrics with 200 routes × 3 statuses of history.
// Routes cycle through 50 templates; 90% of responses are 200, 8% 404, 2% 500.
import { parseArgs } from 'node:util';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HTTP_DURATION_BUCKETS, createRampart, type RequestState, type RequestView } from 'rampart';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, requests: { type: 'string', default: '200000' } } });
const rounds = Number(values.rounds);
const requests = Number(values.requests);

const view: RequestView = { method: 'GET', url: '/notes/1', remoteAddress: '127.0.0.1', encrypted: false, header: () => undefined };
const routes = Array.from({ length: 50 }, (_, i) => `/api/resource-${i}/:id`);
const statuses = Array.from({ length: 50 }, (_, i) => (i < 45 ? 200 : i < 49 ? 404 : 500));
const codes: Record<number, string> = { 404: 'NOT_FOUND', 500: 'INTERNAL_ERROR' };

const rampart = createRampart({ profile: 'production', log: { level: 'silent' }, securityLog: false, overload: false, health: false, metrics: { processMetrics: false } });
// States made ahead, so the loop measures the metrics work, not the request state.
const states: RequestState[] = Array.from({ length: 1000 }, (_, i) => {
  const state = rampart.begin(view);
  state.route = routes[i % routes.length] as string;
  state.problemCode = codes[statuses[i % statuses.length] as number];
  return state;
});

const registry = new Registry();
const histogram = new Histogram({ name: 'http_request_duration_seconds', help: 'x', labelNames: ['method', 'route', 'status_code'], buckets: [...HTTP_DURATION_BUCKETS], registers: [registry] });
const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'x', registers: [registry] });
const errors = new Counter({ name: 'errors_total', help: 'x', labelNames: ['code'], registers: [registry] });

const contestants: Record<string, () => void> = {
  rampart() {
    for (let i = 0; i < requests; i++) {
      const state = states[i % states.length] as RequestState;
      state.finished = false;
      rampart.metrics?.requestStarted();
      rampart.metrics?.requestFinished(state, statuses[i % statuses.length] as number);
    }
  },
  'prom-client'() {
    for (let i = 0; i < requests; i++) {
      inFlight.inc();
      const started = performance.now();
      const status = statuses[(i % 1000) % statuses.length] as number;
      histogram.observe({ method: 'GET', route: routes[(i % 1000) % routes.length] as string, status_code: status }, (performance.now() - started) / 1000);
      const code = codes[status];
      if (code !== undefined) errors.inc({ code });
      inFlight.dec();
    }
  },
};

const timings: Record<string, number[]> = { rampart: [], 'prom-client': [] };
for (let round = 0; round < rounds + 1; round++) {
  for (const [name, run] of Object.entries(contestants)) {
    const started = performance.now();
    run();
    const nsPerRequest = ((performance.now() - started) * 1e6) / requests;
    if (round > 0) timings[name]?.push(nsPerRequest); // round 0 warms up the JIT
  }
}
const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
const base = median(timings['prom-client'] ?? []);

const scrapeTimes: number[] = [];
for (let i = 0; i < 20; i++) {
  const started = performance.now();
  await rampart.metrics?.render();
  scrapeTimes.push(performance.now() - started);
}

console.log(`| contestant | ns per request (median of ${rounds}) | ratio to prom-client |`);
console.log('|---|---|---|');
for (const name of Object.keys(contestants)) {
  const ns = median(timings[name] ?? []);
  console.log(`| ${name} | ${ns.toFixed(0)} | ${(ns / base).toFixed(2)} |`);
}
console.log(`\nscrape: ${median(scrapeTimes).toFixed(2)} ms median to render the registry after the run`);
await rampart.close();
