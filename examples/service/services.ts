import type { Keyring } from 'rampart';
import { Accounts } from './auth/accounts.js';
import { Credentials } from './auth/credentials.js';
import type { ScryptCost } from './auth/passwords.js';
import type { ServiceDatabase } from './db/database.js';
import { Notes } from './db/notes.js';

/** The application's domain services, built once and handed to the routes. */
export interface Services {
  readonly database: ServiceDatabase;
  readonly accounts: Accounts;
  readonly credentials: Credentials;
  readonly notes: Notes;
}

export function createServices(database: ServiceDatabase, keyring: Keyring, options: { passwordCost: ScryptCost; sessionMaxAgeSeconds: number }): Services {
  return {
    database,
    accounts: new Accounts(database.db, options.passwordCost),
    credentials: new Credentials(database.db, keyring, options.sessionMaxAgeSeconds),
    notes: new Notes(database.db),
  };
}
