import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from 'rampart';
import { z } from 'zod';
import { isValidCursor } from '../db/notes.js';
import type { ApiRoutes } from '../http/api.js';
import { requireUser } from '../http/authenticate.js';
import { IdParams, ListQuery, Note, NoteBody, NotePage, NotePatch, SearchQuery } from '../http/schemas.js';
import type { Services } from '../services.js';

const NOT_FOUND = 'No note with this id.';

/** The notes resource (always the caller's own) and the expensive search endpoint. */
export function notesApi(app: FastifyInstance, api: ApiRoutes, { notes }: Services): void {
  api.add(
    { method: 'GET', path: '/api/notes', summary: 'List your notes, newest first', tags: ['notes'], schemas: { query: ListQuery }, responses: { '200': { description: 'A page', schema: NotePage } } },
    async (request, _reply, { query }) => {
      const user = requireUser(request);
      if (query.cursor !== undefined && !isValidCursor(query.cursor)) throw new ValidationError([{ pointer: '#/query/cursor', detail: 'is not a cursor this API issued' }]);
      return notes.list(user.id, query.limit, query.cursor);
    },
  );

  api.add(
    { method: 'POST', path: '/api/notes', summary: 'Create a note', tags: ['notes'], schemas: { body: NoteBody }, responses: { '201': { description: 'Created', schema: Note } } },
    async (request, reply, { body }) => {
      const user = requireUser(request);
      const note = await notes.create(user.id, body.title, body.body);
      return reply.code(201).header('location', `/api/notes/${note.id}`).send(note);
    },
  );

  api.add({ method: 'GET', path: '/api/notes/:id', summary: 'Get a note', tags: ['notes'], schemas: { params: IdParams }, responses: { '200': { description: 'The note', schema: Note } } }, async (request, _reply, { params }) => {
    const note = await notes.get(requireUser(request).id, params.id);
    if (note === undefined) throw new NotFoundError(NOT_FOUND);
    return note;
  });

  api.add(
    { method: 'PATCH', path: '/api/notes/:id', summary: 'Change a note', tags: ['notes'], schemas: { params: IdParams, body: NotePatch }, responses: { '200': { description: 'The note', schema: Note } } },
    async (request, _reply, { params, body }) => {
      const note = await notes.update(requireUser(request).id, params.id, body);
      if (note === undefined) throw new NotFoundError(NOT_FOUND);
      return note;
    },
  );

  api.add({ method: 'DELETE', path: '/api/notes/:id', summary: 'Delete a note', tags: ['notes'], schemas: { params: IdParams }, responses: { '204': { description: 'Deleted' } } }, async (request, reply, { params }) => {
    if (!(await notes.remove(requireUser(request).id, params.id))) throw new NotFoundError(NOT_FOUND);
    return reply.code(204).send();
  });

  api.add(
    {
      method: 'GET',
      path: '/api/search',
      summary: 'Search your notes (expensive: 20 a minute per user)',
      tags: ['notes'],
      schemas: { query: SearchQuery },
      responses: { '200': { description: 'Matches', schema: z.object({ items: z.array(Note) }) } },
    },
    async (request, _reply, { query }) => {
      const user = requireUser(request);
      // Spent after authentication, so the limit follows the user across IPs and tokens.
      await app.rampart.rateLimit.consume(request.rampart, 'expensive');
      return { items: await notes.search(user.id, query.q, query.limit) };
    },
  );
}
