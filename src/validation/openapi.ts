import { z } from 'zod';
import { invalidOption } from '../errors/option-error.js';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem.js';
import type { RequestSchemas } from './validate.js';

/** One documented response of an operation. */
export interface ResponseDoc {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Default `application/json`. */
  readonly contentType?: string;
}

/** One route: the same schemas `validate()` / `validateRequest()` enforce. */
export interface RouteDoc {
  readonly method: string;
  /** Framework syntax (`/notes/:id`) or OpenAPI syntax (`/notes/{id}`). */
  readonly path: string;
  readonly summary?: string;
  readonly description?: string;
  readonly operationId?: string;
  readonly tags?: readonly string[];
  readonly schemas?: RequestSchemas;
  /** Media types the body is accepted as. Default `application/json`. */
  readonly bodyContentTypes?: readonly string[];
  /** By status code. Default `200: OK`. Problem responses are added for you. */
  readonly responses?: Readonly<Record<string, ResponseDoc>>;
  /** Names of `securitySchemes` the route needs; `[]` marks it public. */
  readonly security?: readonly string[];
}

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

export interface OpenApiOptions {
  readonly servers?: readonly { url: string; description?: string }[];
  /** OpenAPI `components.securitySchemes`, e.g. `{ session: { type: 'apiKey', in: 'cookie', name: '__Host-session' } }`. */
  readonly securitySchemes?: Readonly<Record<string, unknown>>;
}

type JsonObject = Record<string, unknown>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** RFC 9457 problem details with Rampart's members, referenced by every error response. */
export const PROBLEM_SCHEMA: JsonObject = Object.freeze({
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'Stable machine-readable code; see docs/errors.md.' },
    requestId: { type: 'string', description: 'Matches the X-Request-ID response header and the log line.' },
    errors: {
      type: 'array',
      description: 'Only for VALIDATION_FAILED.',
      items: { type: 'object', required: ['pointer', 'detail'], properties: { pointer: { type: 'string', description: 'JSON Pointer into { body, query, params, headers }.' }, detail: { type: 'string' } } },
    },
  },
});

/**
 * An OpenAPI 3.1 document from the routes' zod schemas, so the docs and the
 * validation can never disagree. zod 4 emits JSON Schema 2020-12, OpenAPI
 * 3.1's own dialect, for the input side of each schema (what clients send).
 *
 * @example
 * const spec = openApiDocument({ title: 'Notes', version: '1.0.0' }, [
 *   { method: 'post', path: '/notes', schemas: { body: NoteInput }, responses: { 201: { description: 'Created', schema: Note } } },
 * ]);
 */
export function openApiDocument(info: OpenApiInfo, routes: readonly RouteDoc[], options: OpenApiOptions = {}): JsonObject {
  if (typeof info?.title !== 'string' || typeof info.version !== 'string') throw invalidOption('openApiDocument(info)', 'an object with title and version', info);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (!METHODS.has(method)) throw invalidOption('openApiDocument(routes).method', 'an HTTP method', route.method);
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const item = (paths[path] ??= {});
    item[method] = operation(route);
  }
  const components: JsonObject = { schemas: { Problem: PROBLEM_SCHEMA } };
  if (options.securitySchemes !== undefined) components['securitySchemes'] = options.securitySchemes;
  return {
    openapi: '3.1.0',
    info: { ...info },
    ...(options.servers === undefined ? {} : { servers: options.servers.map((server) => ({ ...server })) }),
    paths,
    components,
  };
}

function operation(route: RouteDoc): JsonObject {
  const schemas = route.schemas ?? {};
  const op: JsonObject = {};
  if (route.operationId !== undefined) op['operationId'] = route.operationId;
  if (route.summary !== undefined) op['summary'] = route.summary;
  if (route.description !== undefined) op['description'] = route.description;
  if (route.tags !== undefined) op['tags'] = [...route.tags];
  if (route.security !== undefined) op['security'] = route.security.map((name) => ({ [name]: [] }));
  const parameters = [...parametersOf('path', schemas.params), ...parametersOf('query', schemas.query), ...parametersOf('header', schemas.headers)];
  if (parameters.length > 0) op['parameters'] = parameters;
  if (schemas.body !== undefined) {
    const schema = jsonSchema(schemas.body);
    const content: JsonObject = {};
    for (const type of route.bodyContentTypes ?? ['application/json']) content[type] = { schema };
    op['requestBody'] = { required: !schemas.body.safeParse(undefined).success, content };
  }
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(route.responses ?? { 200: { description: 'OK' } })) {
    responses[status] = response.schema === undefined ? { description: response.description } : { description: response.description, content: { [response.contentType ?? 'application/json']: { schema: jsonSchema(response.schema, 'output') } } };
  }
  const problem = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } });
  if (Object.keys(schemas).length > 0) responses['422'] ??= problem('The request did not pass validation; `errors` points at each field.');
  responses['default'] ??= problem('Any other error, as RFC 9457 problem details.');
  op['responses'] = responses;
  return op;
}

/** One OpenAPI parameter per property of an object schema. */
function parametersOf(location: 'path' | 'query' | 'header', schema: z.ZodType | undefined): JsonObject[] {
  if (schema === undefined) return [];
  const json = jsonSchema(schema);
  const properties = (json['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      // OpenAPI 3.1 §4.8.12.1: path parameters are always required.
      required: location === 'path' || required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}
