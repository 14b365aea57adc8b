import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { DATABASE_URL, requirePostgres } from '../support/services.js';

export interface DatabaseMode {
  readonly name: string;
  /** A fresh, empty database for one test file; undefined when its server is unreachable (the test is then skipped loudly). */
  create(t: TestContext): Promise<{ url: string; drop(): Promise<void> } | undefined>;
}

/** The two modes the service runs in: embedded SQLite and PostgreSQL (a throwaway database on the local server). */
export const DATABASE_MODES: readonly DatabaseMode[] = [
  { name: 'sqlite', create: async () => ({ url: 'sqlite::memory:', drop: async () => undefined }) },
  {
    name: 'postgres',
    async create(t) {
      if (!(await requirePostgres(t))) return undefined;
      const name = `rampart_service_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(DATABASE_URL);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        async drop() {
          const cleanup = new pg.Client({ connectionString: DATABASE_URL });
          await cleanup.connect();
          await cleanup.query(`drop database if exists ${name} with (force)`);
          await cleanup.end();
        },
      };
    },
  },
];
