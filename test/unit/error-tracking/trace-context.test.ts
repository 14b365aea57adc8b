import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, it } from 'node:test';
// Installed with @sentry/node (a dev dependency), which builds on it.
import { ROOT_CONTEXT, context, trace, type Context, type ContextManager } from '@opentelemetry/api';
import Fastify from 'fastify';
import { createRampart, log } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

/** The smallest real context manager: what the OpenTelemetry SDK registers, on AsyncLocalStorage. */
class AlsContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

describe('trace context in logs', () => {
  it('traceparent in: every line of the request carries the trace id and a new span id of its own', async () => {
    const logs = new LogCapture();
    const app = Fastify();
    await app.register(rampart, { profile: 'test', log: { destination: logs, level: 'info' } });
    app.get('/work', async () => {
      log().info('working');
      return { ok: true };
    });
    await app.inject({ url: '/work', headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
    await app.close();
    const lines = logs.lines.filter((line) => line['msg'] === 'working' || line['msg'] === 'request completed');
    assert.equal(lines.length, 2);
    const spanIds = new Set(lines.map((line) => line['spanId']));
    assert.equal(spanIds.size, 1, 'one span id for the request');
    const [spanId] = [...spanIds] as string[];
    assert.match(spanId ?? '', /^[0-9a-f]{16}$/);
    assert.notEqual(spanId, PARENT_ID, "the caller's span is the parent, not this one");
    for (const line of lines) assert.equal(line['traceId'], TRACE_ID);
  });

  it('without traceparent or an active span there is no trace to name', () => {
    const engine = createRampart({ profile: 'test', log: { destination: new LogCapture() } });
    const state = engine.begin({ method: 'GET', url: '/', remoteAddress: '127.0.0.1', encrypted: false, header: () => undefined });
    assert.equal(state.traceId, undefined);
    assert.equal(state.spanId, undefined);
    void engine.close();
  });

  it("uses the active OpenTelemetry span's ids when there is one", () => {
    const manager = new AlsContextManager();
    assert.ok(context.setGlobalContextManager(manager));
    try {
      const engine = createRampart({ profile: 'test', log: { destination: new LogCapture() } });
      const otelSpan = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
      const headers: Record<string, string> = { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` };
      const state = context.with(trace.setSpan(ROOT_CONTEXT, otelSpan), () =>
        engine.begin({ method: 'GET', url: '/', remoteAddress: '127.0.0.1', encrypted: false, header: (name) => headers[name] }),
      );
      assert.equal(state.traceId, 'a'.repeat(32));
      assert.equal(state.spanId, 'b'.repeat(16));
      void engine.close();
    } finally {
      context.disable();
    }
  });
});
