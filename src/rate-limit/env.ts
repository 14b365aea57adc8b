import { invalidOption } from '../errors/option-error.js';
import type { RateLimitRule } from './rules.js';

/** The switch operators flip without a deploy (the name the seeds already use). */
export const ENABLED_VARIABLE = 'RATE_LIMIT_ENABLED';
export const DRY_RUN_VARIABLE = 'RATE_LIMIT_DRY_RUN';
const RESERVED = new Set([ENABLED_VARIABLE, DRY_RUN_VARIABLE]);

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** `RATE_LIMIT_<NAME>` for a rule: upper case, `-` as `_`. */
export function ruleVariable(name: string): string {
  return `RATE_LIMIT_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** A boolean variable, or undefined when unset; anything but a clear yes/no is an error, not a guess. */
export function booleanVariable(env: Readonly<Record<string, string | undefined>>, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw invalidOption(name, 'true or false', raw);
}

/**
 * The rules with their environment overrides applied:
 * `RATE_LIMIT_AUTH=10` sets the limit, `RATE_LIMIT_AUTH=10/5m` the limit and
 * the window, `RATE_LIMIT_AUTH=off` drops the rule. The environment wins
 * over code: it is how operators retune limits without a release.
 */
export function applyRuleOverrides(rules: readonly RateLimitRule[], env: Readonly<Record<string, string | undefined>>): RateLimitRule[] {
  const out: RateLimitRule[] = [];
  for (const rule of rules) {
    if (typeof rule?.name !== 'string') {
      out.push(rule);
      continue;
    }
    const variable = ruleVariable(rule.name);
    if (RESERVED.has(variable)) throw invalidOption('rateLimit.rules[].name', `a name whose variable is not ${variable}`, rule.name);
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') {
      out.push(rule);
      continue;
    }
    if (FALSE.has(raw.toLowerCase()) && raw !== '0') continue;
    const match = /^(\d+)(?:\s*\/\s*(\S+))?$/.exec(raw);
    if (match === null) throw invalidOption(variable, "'<limit>', '<limit>/<window>' (e.g. '10/1m') or 'off'", raw);
    const limit = Number(match[1]);
    out.push(match[2] === undefined ? { ...rule, limit } : { ...rule, limit, window: match[2] });
  }
  return out;
}
