import type { Check } from 'rampart';
import { REQUIRED_TABLES } from './schema.js';
import { pendingMigrations, ping, type ServiceDatabase } from './database.js';

/**
 * Readiness of the service's own database: the connection answers and the
 * schema is current. A pending migration fails the check with its remedy, so
 * a deploy that forgot `npm run migrate` never takes traffic.
 */
export function databaseCheck(database: ServiceDatabase): Check {
  return {
    name: `${database.kind}:schema`,
    critical: true,
    timeoutMs: 2000,
    cacheMs: 1000,
    async run() {
      await ping(database);
      const pending = await pendingMigrations(database);
      if (pending.length > 0) {
        return { status: 'fail', output: 'schema out of date', remedy: `apply ${pending.length} migration(s) (${pending.join(', ')}): npm run migrate` };
      }
      return { status: 'pass', observedValue: REQUIRED_TABLES.length, observedUnit: 'tables' };
    },
  };
}

