import { z } from 'zod';

/**
 * Every request and response shape of the JSON API, in one place: the
 * routes validate with these and `/docs` renders OpenAPI from the same
 * schemas, so the documentation cannot drift from the checks.
 */
export const Email = z.email().max(254).describe('Account email; compared case-insensitively.');

export const RegisterBody = z.object({
  email: Email,
  // NIST SP 800-63B §5.1.1: length over composition rules; long passphrases allowed.
  password: z.string().min(12, 'must be at least 12 characters').max(128),
});

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(128) });

export const User = z.object({ id: z.uuid(), email: Email, role: z.enum(['user', 'admin']), createdAt: z.iso.datetime() });

export const TokenBody = z.object({ name: z.string().trim().min(1).max(100) });
export const IssuedToken = z.object({ id: z.uuid(), token: z.string().describe('Shown once: store it now.') });

export const NoteBody = z.object({ title: z.string().trim().min(1).max(200), body: z.string().max(10_000).default('') });
export const NotePatch = z
  .object({ title: z.string().trim().min(1).max(200).optional(), body: z.string().max(10_000).optional() })
  .refine((patch) => patch.title !== undefined || patch.body !== undefined, { message: 'send title, body or both' });
export const Note = z.object({ id: z.uuid(), title: z.string(), body: z.string(), createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() });
export const NotePage = z.object({ items: z.array(Note), nextCursor: z.string().nullable() });

export const IdParams = z.object({ id: z.uuid() });

/** Page sizes are bounded: a client cannot ask for the whole table. */
export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const SearchQuery = z.object({ q: z.string().trim().min(2).max(100), limit: z.coerce.number().int().min(1).max(50).default(20) });

export const RoleBody = z.object({ role: z.enum(['user', 'admin']) });
