import { readFileSync } from 'node:fs';
import { cookieFindings, seenCookies } from './checks/cookies.js';
import { corsFinding, csrfFinding } from './checks/cross-origin.js';
import { errorPageFindings, headerLeakFindings } from './checks/error-pages.js';
import { operationsFindings } from './checks/operations.js';
import { rateLimitFinding } from './checks/rate-limit.js';
import { securityHeaderFindings } from './checks/security-headers.js';
import { ProbeClient } from './http/client.js';
import { mediaType } from './http/header-map.js';
import { grade } from './observatory/score.js';
import { resolveOptions, MAX_BODY_BYTES, type AuditOptions, type ResolvedOptions } from './options.js';
import { planProbes, plannedRequests } from './plan.js';
import { applyRules, exitCodeOf, sortFindings, summarize } from './policy.js';
import { AuditError, runProbes, type Observations } from './probes.js';
import type { AuditReport, Finding, PlannedProbe } from './types.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export const TOOL = Object.freeze({ name: 'rampart audit', version: VERSION });
const USER_AGENT = `rampart-audit/${VERSION}`;

export interface AuditPlan {
  readonly options: ResolvedOptions;
  readonly plan: readonly PlannedProbe[];
  readonly maxRequests: number;
}

/**
 * Validates the options and lays out every request the run may send. Refuses
 * (with an `AuditError`) a plan the request budget cannot cover, before
 * anything is sent.
 */
export function prepareAudit(options: AuditOptions): AuditPlan {
  const resolved = resolveOptions(options);
  const plan = planProbes(resolved);
  const needed = plannedRequests(plan);
  if (needed > resolved.maxRequests) {
    throw new AuditError(`the probes need up to ${needed} requests but the budget is ${resolved.maxRequests}: raise --max-requests or lower --rate-limit-requests`);
  }
  return { options: resolved, plan, maxRequests: needed };
}

/**
 * Audits a running HTTP service: sends the planned probes to its host only,
 * grades its headers with the MDN HTTP Observatory rubric and runs every
 * check. Throws `AuditError` when the target cannot be audited at all.
 *
 * @example
 * const report = await runAudit({ url: 'https://staging.example.com/', failUnder: 'A' });
 * process.exitCode = report.exitCode;
 */
export async function runAudit(options: AuditOptions, prepared: AuditPlan = prepareAudit(options)): Promise<AuditReport> {
  // Progress is the caller's, even when the plan was prepared earlier (the CLI prints the banner first).
  const resolved = options.onRequest === undefined ? prepared.options : { ...prepared.options, onRequest: options.onRequest };
  const startedAt = new Date();
  const client = new ProbeClient({
    origin: new URL(resolved.url.origin),
    httpOrigin: resolved.httpOrigin,
    maxRequests: resolved.maxRequests,
    timeoutMs: resolved.timeoutMs,
    deadline: Date.now() + resolved.deadlineMs,
    maxBodyBytes: MAX_BODY_BYTES,
    ca: resolved.ca,
    insecure: resolved.insecure,
    headers: resolved.headers,
    userAgent: USER_AGENT,
    onRequest: resolved.onRequest,
  });
  let observations: Observations;
  try {
    observations = await runProbes(client, resolved);
  } finally {
    client.close();
  }
  const cookies = seenCookies(observations);
  const graded = grade({
    url: observations.page.url,
    secure: observations.secure,
    certificateValid: observations.certificateValid,
    headers: observations.page.headers,
    body: observations.page.body,
    mediaType: mediaType(observations.page.headers.get('content-type')),
    cookies,
    redirection: observations.redirection,
    cors: {
      origin: observations.corsOrigin,
      answers: [observations.cors, observations.corsNull, observations.corsPreflight].flatMap((exchange) =>
        exchange?.response === undefined
          ? []
          : [
              {
                allowOrigin: exchange.response.headers.get('access-control-allow-origin'),
                allowCredentials: exchange.response.headers.get('access-control-allow-credentials')?.trim().toLowerCase() === 'true',
              },
            ],
      ),
    },
  });
  const raw: Finding[] = [
    ...securityHeaderFindings(observations, graded),
    ...headerLeakFindings(observations),
    ...errorPageFindings(observations),
    ...cookieFindings(cookies),
    corsFinding(observations),
    csrfFinding(observations),
    ...operationsFindings(observations),
    rateLimitFinding(observations),
  ];
  const findings = sortFindings(applyRules(redact(raw, resolved.headers), resolved.rules));
  const summary = summarize(findings);
  return {
    tool: TOOL,
    target: resolved.url.href,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    requestsSent: client.sent,
    maxRequests: resolved.maxRequests,
    plan: prepared.plan,
    observatory: graded.score,
    findings,
    summary,
    ...(resolved.failUnder === undefined ? {} : { failUnder: resolved.failUnder }),
    exitCode: exitCodeOf(summary, graded.score.grade, resolved.failUnder),
    needsTls: observations.secure ? [] : findings.filter((item) => item.needsTls === true && (item.outcome === 'fail' || item.outcome === 'warn')).map((item) => item.id),
  };
}

/** Pieces of the headers the caller supplied (session cookies, tokens) long enough to be secrets. */
function secretsOf(headers: Readonly<Record<string, string>>): string[] {
  const pieces = new Set<string>();
  for (const value of Object.values(headers)) {
    pieces.add(value);
    for (const part of value.split(/[;,\s]+/)) {
      pieces.add(part);
      const equals = part.indexOf('=');
      if (equals > 0) pieces.add(part.slice(equals + 1));
    }
  }
  // Longest first, so a whole value is replaced before its parts.
  return [...pieces].filter((piece) => piece.length >= 6).sort((a, b) => b.length - a.length);
}

/**
 * Reports end up in CI artifacts: a page that echoes the request (TRACE, a
 * debug error page) must not carry the session or token the audit was given.
 */
function redact(findings: readonly Finding[], headers: Readonly<Record<string, string>>): Finding[] {
  const secrets = secretsOf(headers);
  if (secrets.length === 0) return [...findings];
  const clean = (text: string): string => secrets.reduce((result, secret) => result.replaceAll(secret, '[redacted]'), text);
  return findings.map((item) => ({
    ...item,
    summary: clean(item.summary),
    evidence: item.evidence.map((proof) => (proof.detail === undefined ? proof : { ...proof, detail: clean(proof.detail) })),
  }));
}

export { AuditError };
