import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraceParent, resolveRequestId } from 'rampart';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('traceparent (W3C Trace Context §3.2)', () => {
  it('parses version 00 with the sampled flag', () => {
    assert.deepEqual(parseTraceParent(`00-${TRACE}-00f067aa0ba902b7-01`), { traceId: TRACE, parentSpanId: '00f067aa0ba902b7', sampled: true });
    assert.equal(parseTraceParent(`00-${TRACE}-00f067aa0ba902b7-00`)?.sampled, false);
  });

  it('accepts future versions with extra fields, refuses them on version 00', () => {
    assert.equal(parseTraceParent(`01-${TRACE}-00f067aa0ba902b7-01-extra`)?.traceId, TRACE);
    assert.equal(parseTraceParent(`00-${TRACE}-00f067aa0ba902b7-01-extra`), undefined);
  });

  for (const bad of [`ff-${TRACE}-00f067aa0ba902b7-01`, `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`, `00-${TRACE}-0000000000000000-01`, `00-${TRACE}-00f067aa0ba902b7`, 'x'.repeat(600), undefined]) {
    it(`refuses ${String(bad).slice(0, 40)}`, () => assert.equal(parseTraceParent(bad), undefined));
  }
});

describe('request id', () => {
  it('keeps safe ids and replaces everything else with a fresh UUID', () => {
    assert.equal(resolveRequestId('abc-123'), 'abc-123');
    const fresh = resolveRequestId('bad id');
    assert.match(fresh, /^[0-9a-f-]{36}$/);
    assert.notEqual(resolveRequestId(undefined), resolveRequestId(undefined));
  });
});
