import { REQUIRED_TABLES } from './db/schema.js';
import { defineConfig, env, postgresCheck, redisCheck, requiredWhen, rule, sqliteCheck, sqlitePath, type Check, type ConfigOf } from 'rampart';

const SHAPE = {
  /** Address to listen on. Default `127.0.0.1`: behind nginx, never exposed directly. */
  HOST: env.string({ min: 1 }).default('127.0.0.1'),
  /** Port to listen on; 0 picks a free one. Default 3000. */
  PORT: env.port({ allowZero: true }).default(3000),
  /** `postgres://…` or `sqlite:<path>`. Default in development: a SQLite file under ./data/. */
  DATABASE_URL: env.databaseUrl().optional(),
  /** Apply pending migrations at start. Default true in development and test; in production run `npm run migrate` and the start only checks. */
  AUTO_MIGRATE: env.boolean(),
  /** Serve the OpenAPI docs at /docs. Default on in development and test, off in staging and production. */
  DOCS_ENABLED: env.boolean(),
  /** With ADMIN_PASSWORD: this account exists with the admin role at start (refused in production: promote an account instead). */
  ADMIN_EMAIL: env.string({ max: 254 }).optional(),
};

/**
 * The reference service's settings: Rampart's own (`SECRET_KEY`,
 * `LOG_LEVEL`, `COOKIE_SECURE`, …) plus these. `rampart check --config
 * examples/service/config.ts` validates them without starting the service.
 */
const config = defineConfig(SHAPE, {
  defaults: {
    development: { DATABASE_URL: 'sqlite:./data/development.sqlite', AUTO_MIGRATE: 'true', DOCS_ENABLED: 'true' },
    test: { DATABASE_URL: 'sqlite::memory:', AUTO_MIGRATE: 'true', DOCS_ENABLED: 'true' },
    staging: { AUTO_MIGRATE: 'false', DOCS_ENABLED: 'false' },
    production: { AUTO_MIGRATE: 'false', DOCS_ENABLED: 'false' },
  },
  rules: [
    // A production service must say where its data lives: a SQLite file
    // silently created in the working directory would vanish with the container.
    rule(['ADMIN_EMAIL', 'ADMIN_PASSWORD'], (values) =>
      values['ADMIN_EMAIL'] !== undefined && values['ADMIN_PASSWORD'] === undefined
        ? { key: 'ADMIN_PASSWORD', message: 'ADMIN_PASSWORD is required when ADMIN_EMAIL is set', remedy: 'set ADMIN_PASSWORD, or unset ADMIN_EMAIL' }
        : undefined,
    ),
    requiredWhen('DATABASE_URL', { APP_ENV: ['production', 'staging'] }, { remedy: 'set DATABASE_URL to postgres://… or sqlite:/var/lib/<service>/data.sqlite' }),
  ],
});

export default config;
export type ServiceConfig = ConfigOf<typeof SHAPE>;

/** The dependencies the service cannot start without, checked before it listens. */
export function checks(config: ServiceConfig): Check[] {
  const list: Check[] = [];
  if (config.DATABASE_URL !== undefined) {
    const path = sqlitePath(config.DATABASE_URL);
    // Without automatic migrations the tables must already be there: a missing one stops the start, naming `npm run migrate`.
    const tables = config.AUTO_MIGRATE ? {} : { tables: REQUIRED_TABLES };
    list.push(path === undefined ? postgresCheck({ url: config.DATABASE_URL, ...tables }) : sqliteCheck({ path, create: true, ...tables }));
  }
  if (config.REDIS_URL !== undefined) list.push(redisCheck({ url: config.REDIS_URL }));
  return list;
}
