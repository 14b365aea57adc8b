import { defineConfig, env, postgresCheck, redisCheck, requiredWhen, sqliteCheck, sqlitePath, type Check, type ConfigOf } from 'rampart';

const SHAPE = {
  /** Address to listen on. Default `127.0.0.1`: behind nginx, never exposed directly. */
  HOST: env.string({ min: 1 }).default('127.0.0.1'),
  /** Port to listen on; 0 picks a free one. Default 3000. */
  PORT: env.port({ allowZero: true }).default(3000),
  /** `postgres://…` or `sqlite:<path>`. Default in development: a SQLite file under ./data/. */
  DATABASE_URL: env.databaseUrl().optional(),
};

/**
 * The reference service's settings: Rampart's own (`SECRET_KEY`,
 * `LOG_LEVEL`, `COOKIE_SECURE`, …) plus these. `rampart check --config
 * examples/service/config.ts` validates them without starting the service.
 */
const config = defineConfig(SHAPE, {
  defaults: {
    development: { DATABASE_URL: 'sqlite:./data/development.sqlite' },
    test: { DATABASE_URL: 'sqlite::memory:' },
  },
  rules: [
    // A production service must say where its data lives: a SQLite file
    // silently created in the working directory would vanish with the container.
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
    list.push(path === undefined ? postgresCheck({ url: config.DATABASE_URL }) : sqliteCheck({ path, create: true }));
  }
  if (config.REDIS_URL !== undefined) list.push(redisCheck({ url: config.REDIS_URL }));
  return list;
}
