import type { Secret } from '../secrets/secret.js';
import { MIN_SECRET_KEY_LENGTH, secretWeaknesses } from '../secrets/secret-strength.js';
import { connectionTransport, isLocalHost } from './connection-url.js';
import { rule, type ConfigRule, type RuleIssue } from './rules.js';

type Values = Readonly<Record<string, unknown>>;

const GENERATE = 'generate one with: rampart secret';

const secretKeyStrength = rule<Values>(['SECRET_KEY'], (config, { productionLike, profile }) => {
  const key = config['SECRET_KEY'] as Secret | undefined;
  if (!productionLike || key === undefined) return undefined;
  return secretWeaknesses(key.reveal()).map((weakness): RuleIssue => {
    switch (weakness) {
      case 'too-short':
        return { key: 'SECRET_KEY', message: `SECRET_KEY must be at least ${MIN_SECRET_KEY_LENGTH} characters in ${profile}`, remedy: GENERATE };
      case 'placeholder':
        return { key: 'SECRET_KEY', message: 'SECRET_KEY is a known placeholder or a guessable pattern', remedy: GENERATE };
      case 'low-entropy':
        return { key: 'SECRET_KEY', message: 'SECRET_KEY is too predictable (repeated or sequential characters)', remedy: GENERATE };
    }
  });
});

const previousKeys = rule<Values>(['SECRET_KEY', 'SECRET_KEY_PREVIOUS'], (config, { productionLike }) => {
  const current = config['SECRET_KEY'] as Secret | undefined;
  const previous = (config['SECRET_KEY_PREVIOUS'] as readonly Secret[] | undefined) ?? [];
  const issues: RuleIssue[] = [];
  for (const [index, key] of previous.entries()) {
    if (current !== undefined && key.equals(current)) {
      issues.push({ key: 'SECRET_KEY_PREVIOUS', severity: 'warning', message: `SECRET_KEY_PREVIOUS entry ${index + 1} is the current SECRET_KEY`, remedy: 'list only keys that were replaced' });
    } else if (productionLike && secretWeaknesses(key.reveal()).length > 0) {
      issues.push({
        key: 'SECRET_KEY_PREVIOUS',
        severity: 'warning',
        message: `SECRET_KEY_PREVIOUS entry ${index + 1} is weak: values signed with it can be forged`,
        remedy: 'drop it as soon as sessions signed with it may expire',
      });
    }
  }
  return issues;
});

const secureCookies = rule<Values>(['COOKIE_SECURE'], (config, { productionLike, profile }) => {
  if (!productionLike || config['COOKIE_SECURE'] !== false) return undefined;
  return { key: 'COOKIE_SECURE', message: `COOKIE_SECURE must be true in ${profile}`, remedy: 'remove COOKIE_SECURE (it defaults to true) and serve the site over HTTPS' };
});

const debugOff = rule<Values>(['DEBUG'], (config, { productionLike, profile }) =>
  productionLike && config['DEBUG'] === true ? { key: 'DEBUG', message: `DEBUG must be off in ${profile}`, remedy: 'remove DEBUG or set DEBUG=false' } : undefined,
);

const noWildcards = rule<Values>(['ALLOWED_HOSTS', 'CORS_ORIGINS'], (config, { productionLike, profile }) => {
  if (!productionLike) return undefined;
  const issues: RuleIssue[] = [];
  const hosts = config['ALLOWED_HOSTS'] as readonly string[] | undefined;
  if (hosts?.includes('*') === true) {
    issues.push({ key: 'ALLOWED_HOSTS', message: `ALLOWED_HOSTS may not contain * in ${profile}`, remedy: 'list the host names the service answers to, e.g. ALLOWED_HOSTS=example.com,.example.com' });
  } else if (hosts?.length === 0) {
    // A warning, not an error: behind a proxy that already pins the Host, an empty list is a choice, but it must be a visible one.
    issues.push({
      key: 'ALLOWED_HOSTS',
      severity: 'warning',
      message: `ALLOWED_HOSTS is empty in ${profile}: requests for any Host are answered (Host-header injection in absolute links, DNS rebinding)`,
      remedy: 'list the host names the service answers to, e.g. ALLOWED_HOSTS=api.example.com',
    });
  }
  const origins = (config['CORS_ORIGINS'] as readonly string[] | undefined) ?? [];
  if (origins.includes('*')) {
    issues.push({ key: 'CORS_ORIGINS', message: `CORS_ORIGINS may not contain * in ${profile}`, remedy: 'list the exact origins allowed, e.g. CORS_ORIGINS=https://app.example.com' });
  }
  for (const origin of origins) {
    if (origin.startsWith('http://') && !isLocalHost(new URL(origin).hostname)) {
      issues.push({ key: 'CORS_ORIGINS', severity: 'warning', message: `CORS_ORIGINS allows ${origin} over plain HTTP in ${profile}`, remedy: 'use its https:// origin' });
    }
  }
  return issues;
});

const noAdminPassword = rule<Values>(['ADMIN_PASSWORD'], (config, { profile }) =>
  profile === 'production' && config['ADMIN_PASSWORD'] !== undefined
    ? { key: 'ADMIN_PASSWORD', message: 'ADMIN_PASSWORD (a bootstrap password) is refused in production', remedy: 'create the first admin with a one-off command, then remove ADMIN_PASSWORD' }
    : undefined,
);

const httpsOrigin = rule<Values>(['PUBLIC_ORIGIN'], (config, { productionLike, profile }) => {
  const origin = config['PUBLIC_ORIGIN'];
  if (!productionLike || typeof origin !== 'string' || !origin.startsWith('http://') || isLocalHost(new URL(origin).hostname)) return undefined;
  return { key: 'PUBLIC_ORIGIN', message: `PUBLIC_ORIGIN must use https in ${profile}`, remedy: 'serve the site over HTTPS and set PUBLIC_ORIGIN=https://…' };
});

const quietLogs = rule<Values>(['LOG_LEVEL'], (config, { productionLike, profile }) =>
  productionLike && (config['LOG_LEVEL'] === 'debug' || config['LOG_LEVEL'] === 'trace')
    ? { key: 'LOG_LEVEL', severity: 'warning', message: `LOG_LEVEL=${String(config['LOG_LEVEL'])} in ${profile} logs request details and costs throughput`, remedy: 'use info' }
    : undefined,
);

/** The admin token unlocking `/metrics` and `/status` must be unguessable where it matters (≥ 128 bits). */
const MIN_PRODUCTION_TOKEN_LENGTH = 32;

const metricsToken = rule<Values>(['METRICS_ENABLED', 'METRICS_TOKEN'], (config, { productionLike, profile }) => {
  if (!productionLike) return undefined;
  const token = config['METRICS_TOKEN'] as Secret | undefined;
  if (token === undefined) {
    return config['METRICS_ENABLED'] === true
      ? { key: 'METRICS_TOKEN', severity: 'warning', message: `/metrics is open to anyone who can reach it in ${profile}`, remedy: 'set METRICS_TOKEN, or make sure only Prometheus can reach /metrics' }
      : undefined;
  }
  return token.reveal().length < MIN_PRODUCTION_TOKEN_LENGTH
    ? { key: 'METRICS_TOKEN', message: `METRICS_TOKEN must be at least ${MIN_PRODUCTION_TOKEN_LENGTH} characters in ${profile}`, remedy: GENERATE }
    : undefined;
});

/**
 * Connection URLs to a non-loopback host must refuse plaintext in
 * production: credentials and data would cross the network readable.
 * `ALLOW_INSECURE_CONNECTIONS=REDIS_URL` accepts it for a trusted network.
 */
function encryptedConnections(connectionKeys: readonly string[]): ConfigRule<Values> {
  return rule<Values>(['ALLOW_INSECURE_CONNECTIONS'], (config, { productionLike, profile, raw }) => {
    const allowed = (config['ALLOW_INSECURE_CONNECTIONS'] as readonly string[] | undefined) ?? [];
    const issues: RuleIssue[] = [];
    for (const name of allowed) {
      if (!connectionKeys.includes(name)) {
        issues.push({ key: 'ALLOW_INSECURE_CONNECTIONS', severity: 'warning', message: `ALLOW_INSECURE_CONNECTIONS names ${name.slice(0, 40)}, which is not a connection setting`, remedy: `use one of: ${connectionKeys.join(', ')}` });
      }
    }
    if (!productionLike) return issues;
    for (const key of connectionKeys) {
      const value = raw(key);
      if (config[key] === undefined || value === undefined || allowed.includes(key)) continue;
      const transport = connectionTransport(new URL(value.trim()));
      if (transport.local || transport.tls) continue;
      const redis = value.trim().startsWith('redis') || value.trim().startsWith('valkey');
      issues.push({
        key,
        message: `${key} points at a non-loopback host without TLS in ${profile}`,
        remedy: `${redis ? 'use rediss://' : 'add sslmode=verify-full (or require) to the URL'}, or list ${key} in ALLOW_INSECURE_CONNECTIONS if the network is trusted`,
      });
    }
    return issues;
  });
}

/** The production and staging rules (some apply to every profile), reported together. */
export function builtInRules(connectionKeys: readonly string[]): ConfigRule<Values>[] {
  return [secretKeyStrength, previousKeys, secureCookies, debugOff, noWildcards, noAdminPassword, httpsOrigin, quietLogs, metricsToken, encryptedConnections(connectionKeys)];
}
