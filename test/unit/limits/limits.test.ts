import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, DEFAULT_LIMITS, RampartError, RequestLimits, type RequestView } from 'rampart';

function view(headers: Record<string, string>, url = '/'): RequestView {
  return { method: 'POST', url, remoteAddress: '127.0.0.1', encrypted: false, header: (name) => headers[name] };
}

function statusOf(error: AppError | undefined): number | undefined {
  return error?.status;
}

async function* chunks(size: number, count: number, seen: { count: number }): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    seen.count++;
    yield new Uint8Array(size).fill(0x61);
  }
}

describe('RequestLimits', () => {
  it('validates every option once, naming it', () => {
    for (const options of [{ bodyBytes: 0 }, { urlLength: -1 }, { jsonDepth: 1.5 }, { cookieBytes: '8k' }, { contentTypes: ['json'] }, { prototypeKeys: 'ignore' }]) {
      assert.throws(
        () => new RequestLimits(options as never),
        (error: unknown) => error instanceof RampartError && error.code === 'RAMPART_INVALID_OPTION' && error.message.includes(`limits.${Object.keys(options)[0] as string}`),
      );
    }
  });

  it('documents its defaults', () => {
    const limits = new RequestLimits();
    assert.equal(limits.bodyBytes, DEFAULT_LIMITS.bodyBytes);
    assert.equal(limits.json.maxDepth, 64);
    assert.equal(limits.json.maxKeys, 1000);
    assert.ok(Object.isFrozen(limits));
  });

  it('checks URL length, cookie size, declared length and media type from headers alone', () => {
    const limits = new RequestLimits({ urlLength: 20, cookieBytes: 10, bodyBytes: 100 });
    assert.equal(statusOf(limits.check(view({}, `/${'a'.repeat(20)}`))), 414);
    assert.equal(statusOf(limits.check(view({ cookie: 'a=123456789' }))), 431);
    assert.equal(statusOf(limits.check(view({ 'content-length': '101', 'content-type': 'application/json' }))), 413);
    assert.equal(statusOf(limits.check(view({ 'content-length': '100', 'content-type': 'application/json' }))), undefined);
    assert.equal(statusOf(limits.check(view({ 'content-length': '5', 'content-type': 'text/plain' }))), 415);
    assert.equal(statusOf(limits.check(view({ 'content-length': '101', 'content-type': 'application/x-www-form-urlencoded' }))), 413);
    assert.equal(statusOf(limits.check(view({ 'content-length': '99999999', 'content-type': 'multipart/form-data; boundary=x' }))), undefined, "an upload is the route parser's to bound");
    assert.equal(statusOf(limits.check(view({ 'content-length': '5' }))), 415, 'a body without a media type');
    assert.equal(statusOf(limits.check(view({ 'transfer-encoding': 'chunked', 'content-type': 'application/xml' }))), 415, 'chunked bodies too');
    assert.equal(statusOf(limits.check(view({ 'content-length': '0', 'content-type': 'text/plain' }))), undefined, 'no body, nothing to refuse');
    assert.equal(statusOf(limits.check(view({}))), undefined);
  });

  it('accepts configured media types, exact or type/*, or any with false', () => {
    const images = new RequestLimits({ contentTypes: ['application/json', 'image/*'] });
    assert.equal(images.checkMediaType('image/png'), undefined);
    assert.equal(images.checkMediaType('application/json; charset=utf-8'), undefined);
    assert.equal(statusOf(images.checkMediaType('application/x-www-form-urlencoded')), 415);
    const any = new RequestLimits({ contentTypes: false });
    assert.equal(any.checkMediaType('application/octet-stream'), undefined);
    assert.equal(statusOf(any.checkMediaType('application/json; charset=latin1')), 415, 'parsed bodies must still be UTF-8');
  });

  it('stops reading a stream as soon as it passes the limit', async () => {
    const limits = new RequestLimits({ bodyBytes: 1000 });
    const seen = { count: 0 };
    await assert.rejects(limits.readText(chunks(300, 1_000_000, seen)), (error: unknown) => error instanceof AppError && error.status === 413);
    assert.equal(seen.count, 4);
  });

  it('refuses invalid UTF-8 with 400 and parses by media type', async () => {
    const limits = new RequestLimits();
    async function* bytes(data: Uint8Array): AsyncGenerator<Uint8Array> {
      yield data;
    }
    await assert.rejects(limits.read(bytes(new Uint8Array([0x7b, 0xff, 0x7d])), 'application/json'), (error: unknown) => error instanceof AppError && error.status === 400);
    assert.deepEqual(await limits.read(bytes(Buffer.from('{"a":1}')), 'application/json'), { a: 1 });
    assert.deepEqual({ ...((await limits.read(bytes(Buffer.from('a=1')), 'application/x-www-form-urlencoded')) as object) }, { a: '1' });
    const multipart = new RequestLimits({ contentTypes: ['multipart/form-data', 'text/csv'] });
    assert.equal(await multipart.read(bytes(Buffer.from('a,b')), 'text/csv'), 'a,b');
  });
});
