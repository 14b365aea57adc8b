import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Keyring } from 'rampart';
import type { Database } from '../db/schema.js';

/**
 * Server-side sessions and bearer API tokens. Both hand the client a random
 * 256-bit token and store only its keyed hash (HMAC under a key derived from
 * the master secret): a leaked table holds nothing a client could present.
 */
export class Credentials {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly sessionMaxAgeSeconds: number,
  ) {}

  #hash(purpose: 'session' | 'api-token', token: string): string {
    return this.keyring.hash(purpose, token);
  }

  /** Opens a session; returns the token for the cookie. */
  async openSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.sessionMaxAgeSeconds * 1000);
    await this.db
      .insertInto('sessions')
      .values({ token_hash: this.#hash('session', token), user_id: userId, created_at: now.toISOString(), expires_at: expiresAt.toISOString(), revoked_at: null })
      .execute();
    return { token, expiresAt };
  }

  /** The user id of a live session: known, not expired, not revoked. */
  async sessionUser(token: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .select('user_id')
      .where('token_hash', '=', this.#hash('session', token))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date().toISOString())
      .executeTakeFirst();
    return row?.user_id;
  }

  async revokeSession(token: string): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('token_hash', '=', this.#hash('session', token)).execute();
  }

  /** Logs a user out everywhere (role change, password reset). */
  async revokeAllSessions(userId: string): Promise<number> {
    const result = await this.db.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Issues a bearer token; the plain value is shown once, here. */
  async issueApiToken(userId: string, name: string): Promise<{ id: string; token: string }> {
    const token = `rpt_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    await this.db
      .insertInto('api_tokens')
      .values({ id, user_id: userId, name, token_hash: this.#hash('api-token', token), created_at: new Date().toISOString(), revoked_at: null })
      .execute();
    return { id, token };
  }

  async apiTokenUser(token: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('api_tokens').select('user_id').where('token_hash', '=', this.#hash('api-token', token)).where('revoked_at', 'is', null).executeTakeFirst();
    return row?.user_id;
  }

  async revokeApiToken(userId: string, id: string): Promise<boolean> {
    const result = await this.db.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
