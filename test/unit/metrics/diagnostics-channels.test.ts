import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { CHANNEL_NAMES, type RequestState } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

describe('request lifecycle channels', () => {
  it('publishes request start and finish with the state, status and duration', async () => {
    const events: [string, Record<string, unknown>][] = [];
    const onStart = (message: unknown): void => void events.push(['start', message as Record<string, unknown>]);
    const onFinish = (message: unknown): void => void events.push(['finish', message as Record<string, unknown>]);
    subscribe(CHANNEL_NAMES.requestStart, onStart);
    subscribe(CHANNEL_NAMES.requestFinish, onFinish);
    const app = Fastify();
    try {
      await app.register(rampart, { profile: 'test', log: { destination: new LogCapture() } });
      app.get('/notes/:id', async () => ({ ok: true }));
      await app.inject({ url: '/notes/3', headers: { 'x-request-id': 'chan-1' } });
      assert.deepEqual(events.map(([kind]) => kind), ['start', 'finish']);
      const start = events[0]?.[1] ?? {};
      const finish = events[1]?.[1] ?? {};
      assert.equal((start['state'] as RequestState).requestId, 'chan-1');
      assert.equal(finish['state'], start['state'], 'the same state object');
      assert.equal(finish['status'], 200);
      assert.equal((finish['state'] as RequestState).route, '/notes/:id');
      assert.ok(typeof finish['durationMs'] === 'number' && finish['durationMs'] >= 0);
    } finally {
      unsubscribe(CHANNEL_NAMES.requestStart, onStart);
      unsubscribe(CHANNEL_NAMES.requestFinish, onFinish);
      await app.close();
    }
  });
});
