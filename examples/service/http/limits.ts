import type { RateLimitOptions } from 'rampart';

/**
 * The service's rate limits, sized for a small real app; each can be changed
 * without a deploy through `RATE_LIMIT_<NAME>=<limit>/<window>` (or `off`),
 * e.g. `RATE_LIMIT_API_MINUTE=600/1m`.
 *
 * - `auth`: 5 sign-in/registration attempts a minute per IP, plus the
 *   brute-force guard per account (see routes/auth-api.ts).
 * - `api-minute` / `api-hour`: two tiers per client — its bearer token when it
 *   sends one (counted by keyed hash), else its IP. 120/min absorbs a page
 *   that fans out into a dozen calls; 3000/hour stops a scraper that stays
 *   just under the minute limit all day.
 * - `expensive`: 20 searches a minute per user, spent by the handler after
 *   authentication.
 * Health, readiness, metrics and the docs are exempt.
 */
export const SERVICE_RATE_LIMITS: RateLimitOptions = {
  exempt: { paths: ['/health*', '/ready', '/metrics', '/status', '/docs*'] },
  rules: [
    { name: 'auth', limit: 5, window: '1m', methods: ['POST'], paths: ['/login', '/register', '/api/auth/login', '/api/auth/register', '/api/auth/tokens'] },
    { name: 'api-minute', limit: 120, window: '1m', paths: '/api/*', key: { header: 'authorization' } },
    { name: 'api-hour', limit: 3000, window: '1h', paths: '/api/*', key: { header: 'authorization' } },
    { name: 'expensive', limit: 20, window: '1m', key: 'user' },
  ],
};
