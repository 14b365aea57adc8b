/** Timestamps are ISO-8601 strings: sortable as text, identical on SQLite and PostgreSQL. */
export type Timestamp = string;

export type Role = 'user' | 'admin';

export interface UsersTable {
  id: string;
  /** Lower-cased on write; unique. */
  email: string;
  password_hash: string;
  role: Role;
  created_at: Timestamp;
}

/** Server-side sessions. The cookie carries a random token; only its keyed hash is stored. */
export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** Bearer tokens for programmatic clients, stored as keyed hashes like sessions. */
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface NotesTable {
  id: string;
  user_id: string;
  title: string;
  body: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}


export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  notes: NotesTable;
}

/** Tables the service cannot run without; startup checks them. */
export const REQUIRED_TABLES = ['users', 'sessions', 'api_tokens', 'notes'] as const;
