import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { timeOrderedId } from './time-ordered-id.js';

export interface Note {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NotePage {
  readonly items: Note[];
  /** Opaque cursor for the next page, or null on the last page. */
  readonly nextCursor: string | null;
}

type NoteRow = Database['notes'];

const toNote = (row: NoteRow): Note => ({ id: row.id, title: row.title, body: row.body, createdAt: row.created_at, updatedAt: row.updated_at });

/**
 * Notes, always scoped to their owner: every query filters on `user_id`, so
 * one user can never read or change another's note by guessing its id.
 * Text is stored as written: the defense against injection is parameterized
 * queries here and output encoding in the views, not input filtering.
 */
export class Notes {
  constructor(private readonly db: Kysely<Database>) {}

  async create(userId: string, title: string, body: string): Promise<Note> {
    const now = new Date().toISOString();
    const row: NoteRow = { id: timeOrderedId(), user_id: userId, title, body, created_at: now, updated_at: now };
    await this.db.insertInto('notes').values(row).execute();
    return toNote(row);
  }

  /** Keyset pagination, newest first (ties within a millisecond broken by the time-ordered id): stable under inserts, and O(limit) at any depth. */
  async list(userId: string, limit: number, cursor: string | undefined): Promise<NotePage> {
    let query = this.db.selectFrom('notes').selectAll().where('user_id', '=', userId);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (after !== undefined) {
      query = query.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]));
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toNote);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
  }

  async get(userId: string, id: string): Promise<Note | undefined> {
    const row = await this.db.selectFrom('notes').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return row === undefined ? undefined : toNote(row);
  }

  async update(userId: string, id: string, changes: { title?: string | undefined; body?: string | undefined }): Promise<Note | undefined> {
    const set: Partial<NoteRow> = { updated_at: new Date().toISOString() };
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.body !== undefined) set.body = changes.body;
    const result = await this.db.updateTable('notes').set(set).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numUpdatedRows) === 0 ? undefined : this.get(userId, id);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('notes').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The "expensive" endpoint's query: a substring scan over the user's notes. */
  async search(userId: string, text: string, limit: number): Promise<Note[]> {
    // LIKE wildcards in the user's text are escaped so they match literally;
    // lower() on both sides because SQLite's LIKE ignores case and PostgreSQL's does not.
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const matches = (column: 'title' | 'body') => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
    const rows = await this.db
      .selectFrom('notes')
      .selectAll()
      .where('user_id', '=', userId)
      .where((eb) => eb.or([matches('title'), matches('body')]))
      .orderBy('updated_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toNote);
  }
}

function encodeCursor(note: Note): string {
  return Buffer.from(JSON.stringify([note.createdAt, note.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') return { createdAt: value[0], id: value[1] };
  } catch {
    // Fall through: a malformed cursor is the caller's 422.
  }
  return undefined;
}

export function isValidCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== undefined;
}
