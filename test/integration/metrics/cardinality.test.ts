import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

const labelValues = (text: string, label: string): Set<string> => new Set([...text.matchAll(new RegExp(`${label}="([^"]*)"`, 'g'))].map((match) => match[1] as string));

describe('metric cardinality under a path scan', () => {
  it('10,000 requests to distinct random paths create no new http_route values and no new series', async () => {
    const app = Fastify();
    await app.register(rampart, { profile: 'test', log: { destination: new LogCapture(), level: 'error' }, metrics: { processMetrics: false } });
    app.get('/notes/:id', async () => ({ ok: true }));
    await app.ready();
    await app.inject({ url: '/notes/1' });
    await app.inject({ url: '/no-such-page' });
    const before = (await app.inject({ url: '/metrics' })).body;
    const routesBefore = labelValues(before, 'http_route');
    const seriesBefore = before.split('\n').filter((line) => line.startsWith('http_server_request_duration_seconds_count')).length;

    const methods = ['GET', 'POST', 'DELETE', 'PROPFIND', 'MKCOL'];
    for (let batch = 0; batch < 100; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const path = `/${randomBytes(8).toString('hex')}/${randomBytes(4).toString('base64url')}?q=${randomBytes(4).toString('hex')}`;
          return app.inject({ method: methods[(batch + i) % methods.length] as 'GET', url: path });
        }),
      );
    }

    const afterScan = (await app.inject({ url: '/metrics' })).body;
    const routesAfter = labelValues(afterScan, 'http_route');
    routesBefore.add('/metrics');
    assert.deepEqual([...routesAfter].sort(), [...routesBefore].sort(), 'no new http_route values');
    assert.deepEqual([...labelValues(afterScan, 'http_request_method')].sort(), ['DELETE', 'GET', 'POST', '_OTHER']);
    const seriesAfter = afterScan.split('\n').filter((line) => line.startsWith('http_server_request_duration_seconds_count')).length;
    assert.ok(seriesAfter - seriesBefore <= 8, `series grew from ${seriesBefore} to ${seriesAfter}`);
    const unmatched = afterScan.split('\n').filter((line) => line.startsWith('http_server_request_duration_seconds_count') && line.includes('http_route="UNMATCHED"'));
    const total = unmatched.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    assert.equal(total, 10_001, 'every scan request counted, under one route');
    assert.doesNotMatch(afterScan, /rampart_metrics_label_overflow_total\{/, 'the cap was never needed');
    await app.close();
  });
});
