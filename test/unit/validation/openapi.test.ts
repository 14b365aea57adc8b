import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { RampartError, openApiDocument, validateRequest } from 'rampart';

const NoteInput = z.object({ title: z.string().min(1).max(200).describe('Shown in lists'), body: z.string().max(10_000).optional() });
const Note = NoteInput.extend({ id: z.uuid(), createdAt: z.iso.datetime() });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().optional().describe('From the previous page') });

// The document is plain JSON navigated by path in the assertions below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = { openapi: string; paths: Record<string, Record<string, any>>; components: Record<string, any>; servers: unknown[] };

const spec = openApiDocument(
  { title: 'Notes', version: '1.2.0' },
  [
    { method: 'get', path: '/notes', summary: 'List notes', schemas: { query: ListQuery }, responses: { 200: { description: 'A page of notes', schema: z.array(Note) } } },
    { method: 'POST', path: '/notes', operationId: 'createNote', tags: ['notes'], schemas: { body: NoteInput }, bodyContentTypes: ['application/json', 'application/x-www-form-urlencoded'], responses: { 201: { description: 'Created', schema: Note } }, security: ['session'] },
    { method: 'delete', path: '/notes/:id', schemas: { params: z.object({ id: z.uuid() }), headers: z.object({ 'x-csrf-token': z.string() }) }, responses: { 204: { description: 'Deleted' } } },
    { method: 'get', path: '/health' },
  ],
  { servers: [{ url: 'https://api.example.com' }], securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: '__Host-session' } } },
) as Spec;

describe('openApiDocument', () => {
  it('is an OpenAPI 3.1 document with the routes under OpenAPI path syntax', () => {
    assert.equal(spec.openapi, '3.1.0');
    assert.deepEqual(Object.keys(spec.paths).sort(), ['/health', '/notes', '/notes/{id}']);
    assert.deepEqual(Object.keys(spec.paths['/notes'] ?? {}).sort(), ['get', 'post']);
    assert.deepEqual(spec.servers, [{ url: 'https://api.example.com' }]);
    assert.equal(spec.components['securitySchemes'].session.in, 'cookie');
  });

  it('turns query, path and header schemas into parameters with required flags and descriptions', () => {
    const list = spec.paths['/notes']?.['get'];
    assert.deepEqual(
      list.parameters.map((parameter: { name: string; in: string; required: boolean }) => [parameter.name, parameter.in, parameter.required]),
      [['limit', 'query', false], ['cursor', 'query', false]],
    );
    assert.equal(list.parameters[1].description, 'From the previous page');
    assert.deepEqual(list.parameters[0].schema, { default: 20, type: 'integer', minimum: 1, maximum: 100 });
    const remove = spec.paths['/notes/{id}']?.['delete'];
    assert.deepEqual(remove.parameters.map((parameter: { name: string; in: string; required: boolean }) => [parameter.name, parameter.in, parameter.required]), [['id', 'path', true], ['x-csrf-token', 'header', true]]);
  });

  it('describes the body from the same schema validation uses, for each accepted media type', () => {
    const create = spec.paths['/notes']?.['post'];
    assert.equal(create.operationId, 'createNote');
    assert.deepEqual(create.security, [{ session: [] }]);
    assert.equal(create.requestBody.required, true);
    const schema = create.requestBody.content['application/json'].schema;
    assert.deepEqual(schema.required, ['title']);
    assert.equal(schema.properties.title.maxLength, 200);
    assert.deepEqual(create.requestBody.content['application/x-www-form-urlencoded'].schema, schema);
    assert.equal(schema.$schema, undefined, 'the dialect is the document’s own');
    // What the document calls required is what validation requires.
    assert.throws(() => validateRequest({ body: NoteInput }, { body: {} }));
  });

  it('adds 422 for validated routes and a problem+json default to every operation', () => {
    const create = spec.paths['/notes']?.['post'];
    assert.deepEqual(create.responses['422'].content['application/problem+json'].schema, { $ref: '#/components/schemas/Problem' });
    assert.ok(create.responses['default']);
    assert.equal(create.responses['201'].content['application/json'].schema.properties.id.format, 'uuid');
    const health = spec.paths['/health']?.['get'];
    assert.deepEqual(Object.keys(health.responses).sort(), ['200', 'default']);
    assert.deepEqual(spec.components['schemas'].Problem.required, ['type', 'title', 'status', 'detail', 'code', 'requestId']);
  });

  it('refuses an unknown method and missing info', () => {
    assert.throws(() => openApiDocument({ title: 'x', version: '1' }, [{ method: 'fetch', path: '/' }]), RampartError);
    assert.throws(() => openApiDocument({ title: 'x' } as never, []), RampartError);
  });
});
