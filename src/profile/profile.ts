import { invalidOption } from '../errors/option-error.js';

/** The deployment profiles; defaults differ by profile and production refuses unsafe settings. */
export const PROFILES = ['development', 'test', 'staging', 'production'] as const;
export type Profile = (typeof PROFILES)[number];

/** Staging runs with production's safety rules, so what passes there passes in production. */
export function isProductionLike(profile: Profile): boolean {
  return profile === 'production' || profile === 'staging';
}

/**
 * The profile named by `APP_ENV`, falling back to `NODE_ENV`, else
 * `development`. An unknown value is an error, never a silent default: a typo
 * in production must not turn the production rules off.
 */
export function profileFromEnv(env: NodeJS.ProcessEnv = process.env): Profile {
  const raw = env['APP_ENV'] ?? env['NODE_ENV'];
  if (raw === undefined || raw === '') return 'development';
  const name = raw.trim().toLowerCase();
  if ((PROFILES as readonly string[]).includes(name)) return name as Profile;
  throw invalidOption(env['APP_ENV'] === undefined ? 'NODE_ENV' : 'APP_ENV', PROFILES.join(', '), raw);
}

export function assertProfile(value: unknown): Profile {
  if (typeof value === 'string' && (PROFILES as readonly string[]).includes(value)) return value as Profile;
  throw invalidOption('profile', PROFILES.join(', '), value);
}
