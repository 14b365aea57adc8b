// app/api/hello/route.ts — a Next.js route handler, hardened.
import { ValidationError, log } from 'rampart';
import { guard } from '../../../rampart.js';

export const GET = guard.wrap(async (request: Request) => {
  const name = new URL(request.url).searchParams.get('name') ?? 'world';
  if (name.length > 50) throw new ValidationError([{ pointer: '#/query/name', detail: 'must be at most 50 characters' }]);
  log().info({ name }, 'saying hello');
  return Response.json({ hello: name });
});
