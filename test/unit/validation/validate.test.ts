import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { z } from 'zod';
import { MAX_FIELD_ERRORS, RampartError, ValidationError, nodeBodyParser, toPointer, validate, validateRequest, validateRequestAsync } from 'rampart';
import { rampart as expressRampart } from 'rampart/express';
import { rampart as fastifyRampart } from 'rampart/fastify';

function fieldErrors(fn: () => unknown): { pointer: string; detail: string }[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.status, 422);
    return [...(error.errors ?? [])];
  }
  assert.fail('expected a ValidationError');
}

const Query = z.object({ page: z.coerce.number().int().min(1).default(1), sort: z.enum(['asc', 'desc']).optional() });
const Body = z.object({ title: z.string().min(1), done: z.boolean().default(false) });

describe('validateRequest', () => {
  it('returns parsed values only for the parts with a schema', () => {
    const result = validateRequest({ query: Query, body: Body }, { query: { page: '3' }, body: { title: 'x' }, params: { ignored: true } });
    assert.deepEqual(result, { query: { page: 3 }, body: { title: 'x', done: false } });
  });

  it('escapes pointer segments per RFC 6901 and percent-encodes them for a URI fragment', () => {
    assert.equal(toPointer('body', ['a/b', 'c~d', 0, 'with space', 'é']), '#/body/a~1b/c~0d/0/with%20space/%C3%A9');
    const errors = fieldErrors(() => validateRequest({ body: z.object({ 'a/b': z.object({ 'x~y': z.string() }) }) }, { body: { 'a/b': { 'x~y': 1 } } }));
    assert.deepEqual(errors.map((error) => error.pointer), ['#/body/a~1b/x~0y']);
  });

  // encodeURIComponent once saw each half of a surrogate pair alone and threw: a client's emoji key was a 500.
  it('an unrecognized key with an astral character or a lone surrogate is a 422 pointer, not a URIError', () => {
    assert.equal(toPointer('body', ['𐀀', '😀x']), '#/body/%F0%90%80%80/%F0%9F%98%80x');
    assert.equal(toPointer('body', ['\ud800', 'a\udfffb']), '#/body/%EF%BF%BD/a%EF%BF%BDb');
    const errors = fieldErrors(() => validateRequest({ body: z.object({}).strict() }, { body: JSON.parse('{"😀":1,"\\ud800":2}') as unknown }));
    assert.deepEqual(errors.map((error) => error.pointer).sort(), ['#/body/%EF%BF%BD', '#/body/%F0%9F%98%80']);
  });

  it('points into arrays and at each unrecognized key', () => {
    const schema = z.object({ items: z.array(z.object({ qty: z.number().int().positive() })) }).strict();
    const errors = fieldErrors(() => validateRequest({ body: schema }, { body: { items: [{ qty: 1 }, { qty: -1 }], role: 'admin', debug: 1 } }));
    assert.deepEqual(errors.map((error) => error.pointer).sort(), ['#/body/debug', '#/body/items/1/qty', '#/body/role']);
  });

  it(`reports at most ${MAX_FIELD_ERRORS} field errors`, () => {
    const errors = fieldErrors(() => validateRequest({ body: z.array(z.string()) }, { body: Array.from({ length: 500 }, () => 1) }));
    assert.equal(errors.length, MAX_FIELD_ERRORS);
  });

  it('handles async refinements through validateRequestAsync', async () => {
    const taken = z.object({ username: z.string().refine(async (name) => name !== 'root', 'is taken') });
    await assert.rejects(validateRequestAsync({ body: taken }, { body: { username: 'root' } }), (error: unknown) => error instanceof ValidationError && error.errors?.[0]?.detail === 'is taken');
    assert.deepEqual(await validateRequestAsync({ body: taken }, { body: { username: 'ada' } }), { body: { username: 'ada' } });
  });
});

describe('validate() hook', () => {
  it('refuses anything but zod schemas for the four parts', () => {
    assert.throws(() => validate({ cookies: z.string() } as never), RampartError);
    assert.throws(() => validate({ body: { type: 'object' } } as never), RampartError);
  });

  it('Fastify preValidation: 422 problem with pointers, and coerced values in the handler', async () => {
    const app = Fastify();
    await app.register(fastifyRampart, { profile: 'production', log: { level: 'silent' } });
    app.post('/notes/:id', { preValidation: validate({ params: z.object({ id: z.uuid() }), query: Query, body: Body }) }, async (request) => ({ query: request.query, body: request.body, params: request.params }));
    after(() => app.close());
    const id = '3f2a1d4e-9b7c-4e0f-8a6b-1c2d3e4f5a6b';
    const ok = await app.inject({ method: 'POST', url: `/notes/${id}?page=2`, payload: { title: 'hello' } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { query: { page: 2 }, body: { title: 'hello', done: false }, params: { id } });
    const bad = await app.inject({ method: 'POST', url: '/notes/nope?page=0&sort=sideways', payload: { done: 'yes' } });
    assert.equal(bad.statusCode, 422);
    assert.match(String(bad.headers['content-type']), /^application\/problem\+json/);
    assert.deepEqual(bad.json().errors.map((error: { pointer: string }) => error.pointer), ['#/params/id', '#/query/page', '#/query/sort', '#/body/title', '#/body/done']);
  });

  it('Fastify: async refinements settle through the same hook', async () => {
    const app = Fastify();
    await app.register(fastifyRampart, { log: { level: 'silent' } });
    const body = z.object({ name: z.string().refine(async (name) => name !== 'taken', 'is taken') });
    app.post('/users', { preValidation: validate({ body }) }, async (request) => request.body);
    after(() => app.close());
    assert.equal((await app.inject({ method: 'POST', url: '/users', payload: { name: 'free' } })).statusCode, 200);
    const taken = await app.inject({ method: 'POST', url: '/users', payload: { name: 'taken' } });
    assert.equal(taken.statusCode, 422);
    assert.deepEqual(taken.json().errors, [{ pointer: '#/body/name', detail: 'is taken' }]);
  });

  it('Express middleware: the same hook, with the parsed query shadowing Express 5’s getter', async () => {
    const guard = expressRampart({ profile: 'production', log: { level: 'silent' } });
    const app = express();
    app.use(guard.middleware);
    app.use(nodeBodyParser(guard.rampart));
    app.get('/search', validate({ query: Query }), (req, res) => void res.json({ query: req.query }));
    app.use(guard.notFound);
    app.use(guard.errorHandler);
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    after(() => server.close());
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    assert.deepEqual(await (await fetch(`${base}/search?page=4&sort=asc`)).json(), { query: { page: 4, sort: 'asc' } });
    const bad = await fetch(`${base}/search?page=-1`);
    assert.equal(bad.status, 422);
    assert.deepEqual(((await bad.json()) as { errors: { pointer: string }[] }).errors.map((error) => error.pointer), ['#/query/page']);
  });
});
