import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { SeriesHistogram } from '../../../src/metrics/series-histogram.js';

const BUCKETS = [0.005, 0.01, 0.1, 1];
const OBSERVATIONS: [Record<string, string>, number][] = [
  [{ method: 'GET', route: '/a' }, 0.001],
  [{ method: 'GET', route: '/a' }, 0.005], // on a bound: counted in that bucket (le is ≤)
  [{ method: 'GET', route: '/a' }, 0.3],
  [{ method: 'POST', route: '/b "quoted"\\' }, 7], // above every bound: +Inf only; label needing escapes
  [{ method: 'GET', route: '/a' }, 0.02],
];

describe('SeriesHistogram', () => {
  it('renders exactly what prom-client’s Histogram renders for the same observations, default labels included', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    for (const registry of [theirs, ours]) registry.setDefaultLabels({ service: 'notes' });
    const reference = new Histogram({ name: 'd_seconds', help: 'Duration.', labelNames: ['method', 'route'], buckets: BUCKETS, registers: [theirs] });
    const histogram = new SeriesHistogram('d_seconds', 'Duration.', BUCKETS, ours);
    const labelObjects = new Map<string, Record<string, string>>();
    for (const [labels, value] of OBSERVATIONS) {
      reference.observe(labels, value);
      const key = JSON.stringify(labels);
      if (!labelObjects.has(key)) labelObjects.set(key, labels);
      histogram.series(labelObjects.get(key) as Record<string, string>).observe(value);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
    assert.match(await ours.metrics(), /^d_seconds_bucket\{le="0.01",service="notes",method="GET",route="\/a"\} 2$/m);
  });

  it('keeps one series per label object and zeroes them on resetMetrics()', async () => {
    const registry = new Registry();
    const histogram = new SeriesHistogram('d_seconds', 'Duration.', BUCKETS, registry);
    const labels = { route: '/a' };
    const series = histogram.series(labels);
    assert.equal(histogram.series(labels), series);
    series.observe(0.5);
    registry.resetMetrics();
    series.observe(0.05);
    const text = await registry.metrics();
    assert.match(text, /^d_seconds_count\{route="\/a"\} 1$/m);
    assert.match(text, /^d_seconds_sum\{route="\/a"\} 0.05$/m);
  });
});
