import Fastify, { type FastifyInstance } from 'fastify';
import { ConflictError, ValidationError, type RampartOptions } from 'rampart';
import { rampart } from 'rampart/fastify';
import { PRODUCTION_COST, TEST_COST, type ScryptCost } from './auth/passwords.js';
import { databaseCheck } from './db/database-check.js';
import { migrate, openDatabase, pendingMigrations, type ServiceDatabase } from './db/database.js';
import { ApiRoutes } from './http/api.js';
import { authenticator } from './http/authenticate.js';
import { SERVICE_RATE_LIMITS } from './http/limits.js';
import { SessionCookie } from './http/session.js';
import { adminApi } from './routes/admin-api.js';
import { authApi } from './routes/auth-api.js';
import { docs } from './routes/docs.js';
import { notesApi } from './routes/notes-api.js';
import { pages } from './routes/pages.js';
import { createServices, type Services } from './services.js';

export interface ServiceOptions {
  /** Rampart's options (from `optionsFrom(config)`); the service's rate-limit rules are added unless these set `rateLimit.rules`. */
  rampart?: RampartOptions;
  /** `postgres://…` or `sqlite:<path>`. Default `sqlite::memory:`, for tests and tools. */
  databaseUrl?: string;
  /** Apply pending migrations at start. Default true; the production entry point checks instead (`npm run migrate` applies). */
  autoMigrate?: boolean;
  /** Serve `/docs`. Default: outside production and staging. */
  docs?: boolean;
  /** Creates (or promotes) this admin account at start, for first deploys and demos. */
  admin?: { email: string; password: string };
  /** scrypt cost; default `TEST_COST` in the test profile, OWASP's minimum otherwise. */
  passwordCost?: ScryptCost;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/**
 * The reference service: accounts, server-side sessions and bearer tokens,
 * notes behind auth, an expensive search, an admin area, HTML forms and
 * OpenAPI docs — hardened by Rampart, with nothing hand-rolled.
 */
export async function buildService(options: ServiceOptions = {}): Promise<FastifyInstance> {
  const rampartOptions: RampartOptions = { ...options.rampart, rateLimit: { ...SERVICE_RATE_LIMITS, ...options.rampart?.rateLimit } };
  const app = Fastify();
  await app.register(rampart, rampartOptions);
  const core = app.rampart;

  const database = openDatabase(options.databaseUrl ?? 'sqlite::memory:');
  app.addHook('onClose', () => database.close());
  await prepareSchema(database, options.autoMigrate ?? true);
  const passwordCost = options.passwordCost ?? (core.profile === 'test' ? TEST_COST : PRODUCTION_COST);
  const services = createServices(database, core.keyring, { passwordCost, sessionMaxAgeSeconds: core.cookies.sessionMaxAge });
  app.decorate('services', services);
  core.health.add(databaseCheck(database));
  if (options.admin !== undefined) await ensureAdmin(services, options.admin);

  const sessions = new SessionCookie(app, services);
  app.decorateRequest('user', undefined);
  app.decorateRequest('authMethod', undefined);
  app.addHook('preHandler', authenticator(services, sessions));

  app.get('/', async () => ({
    service: 'rampart-reference',
    profile: core.profile,
    links: { login: '/login', notes: '/api/notes', docs: '/docs', liveness: '/health/live', readiness: '/ready' },
  }));
  // A public, validated echo: the smallest route that shows the error contract.
  app.get<{ Querystring: { message?: unknown } }>('/api/echo', async (request) => {
    const message = request.query.message;
    if (typeof message !== 'string' || message.length === 0 || message.length > 200) {
      throw new ValidationError([{ pointer: '#/query/message', detail: 'must be a string of 1 to 200 characters' }]);
    }
    return { message, requestId: request.rampart.requestId };
  });

  const api = new ApiRoutes(app);
  authApi(app, api, services, sessions);
  notesApi(app, api, services);
  adminApi(app, api, services);
  pages(app, services, sessions);
  if (options.docs ?? !['production', 'staging'].includes(core.profile)) docs(app, api.docs, core.cookies.sessionName);
  return app;
}

async function prepareSchema(database: ServiceDatabase, autoMigrate: boolean): Promise<void> {
  if (autoMigrate) {
    await migrate(database);
    return;
  }
  // Readiness reports a pending migration with its remedy; refusing here
  // too keeps a half-migrated instance from starting at all.
  const pending = await pendingMigrations(database);
  if (pending.length > 0) throw new Error(`the database schema is out of date (${pending.join(', ')}): run npm run migrate`);
}

async function ensureAdmin(services: Services, admin: { email: string; password: string }): Promise<void> {
  try {
    await services.accounts.register(admin.email, admin.password, 'admin');
    return;
  } catch (error) {
    // Already registered: its password stays as it is; only the role is ensured.
    if (!(error instanceof ConflictError)) throw error;
  }
  const existing = await services.database.db.selectFrom('users').select('id').where('email', '=', admin.email.trim().toLowerCase()).executeTakeFirst();
  if (existing !== undefined) await services.accounts.setRole(existing.id, 'admin');
}
