import type { FastifyInstance } from 'fastify';
import { NotFoundError } from 'rampart';
import { z } from 'zod';
import type { ApiRoutes } from '../http/api.js';
import { requireRole } from '../http/authenticate.js';
import { IdParams, ListQuery, RoleBody, User } from '../http/schemas.js';
import type { Services } from '../services.js';

/** Administration behind the `admin` role; every change is in the security log. */
export function adminApi(app: FastifyInstance, api: ApiRoutes, { accounts, credentials }: Services): void {
  api.add(
    { method: 'GET', path: '/api/admin/users', summary: 'List accounts (admin)', tags: ['admin'], schemas: { query: ListQuery.pick({ limit: true }).extend({ offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }) }, responses: { '200': { description: 'Accounts', schema: z.object({ items: z.array(User) }) } } },
    async (request, _reply, { query }) => {
      requireRole(request, 'admin');
      return { items: await accounts.list(query.limit, query.offset) };
    },
  );

  api.add(
    { method: 'PATCH', path: '/api/admin/users/:id/role', summary: "Change an account's role (admin); signs the account out everywhere", tags: ['admin'], schemas: { params: IdParams, body: RoleBody }, responses: { '200': { description: 'The account', schema: User } } },
    async (request, _reply, { params, body }) => {
      const admin = requireRole(request, 'admin');
      const before = await accounts.byId(params.id);
      if (before === undefined || !(await accounts.setRole(params.id, body.role))) throw new NotFoundError('No account with this id.');
      // A role change takes effect now, not when old sessions expire.
      const revoked = await credentials.revokeAllSessions(params.id);
      app.rampart.security.roleChanged({ targetUserId: params.id, from: before.role, to: body.role, by: admin.id });
      if (revoked > 0) app.rampart.security.sessionRevoked({ userId: params.id, reason: 'role-changed' });
      return { ...before, role: body.role };
    },
  );
}
