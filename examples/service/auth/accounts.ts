import { randomUUID } from 'node:crypto';
import { ConflictError, UnauthorizedError } from 'rampart';
import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema.js';
import { hashPassword, needsRehash, verifyPassword, type ScryptCost } from './passwords.js';

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly createdAt: string;
}

/** One message for unknown email and wrong password, so responses do not reveal which accounts exist. */
export const INVALID_CREDENTIALS = 'Email or password is incorrect.';

export class Accounts {
  // Verifying against a real hash when the email is unknown keeps the
  // response time the same as for a wrong password (no user enumeration by timing).
  #dummyHash: Promise<string>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly cost: ScryptCost,
  ) {
    this.#dummyHash = hashPassword('not-a-real-password', cost);
  }

  async register(email: string, password: string, role: Role = 'user'): Promise<Account> {
    const normalized = email.trim().toLowerCase();
    const existing = await this.db.selectFrom('users').select('id').where('email', '=', normalized).executeTakeFirst();
    if (existing !== undefined) throw new ConflictError({ detail: 'An account with this email already exists.' });
    const account = { id: randomUUID(), email: normalized, role, createdAt: new Date().toISOString() };
    try {
      await this.db
        .insertInto('users')
        .values({ id: account.id, email: account.email, role, password_hash: await hashPassword(password, this.cost), created_at: account.createdAt })
        .execute();
    } catch (error) {
      // Two registrations racing for one email: the unique index decides.
      if (/unique|duplicate/i.test(String((error as Error).message))) throw new ConflictError({ detail: 'An account with this email already exists.' });
      throw error;
    }
    return account;
  }

  /** The account for these credentials, or a 401 that does not say which part was wrong. */
  async authenticate(email: string, password: string): Promise<Account> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    const valid = await verifyPassword(password, row?.password_hash ?? (await this.#dummyHash));
    if (row === undefined || !valid) throw new UnauthorizedError({ detail: INVALID_CREDENTIALS });
    if (needsRehash(row.password_hash, this.cost)) {
      await this.db.updateTable('users').set({ password_hash: await hashPassword(password, this.cost) }).where('id', '=', row.id).execute();
    }
    return { id: row.id, email: row.email, role: row.role, createdAt: row.created_at };
  }

  async byId(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('users').select(['id', 'email', 'role', 'created_at']).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : { id: row.id, email: row.email, role: row.role, createdAt: row.created_at };
  }

  async list(limit: number, offset: number): Promise<Account[]> {
    const rows = await this.db.selectFrom('users').select(['id', 'email', 'role', 'created_at']).orderBy('created_at').limit(limit).offset(offset).execute();
    return rows.map((row) => ({ id: row.id, email: row.email, role: row.role, createdAt: row.created_at }));
  }

  async setRole(id: string, role: Role): Promise<boolean> {
    const result = await this.db.updateTable('users').set({ role }).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
