/**
 * The audit's vocabulary: checks, findings, the Observatory score and the
 * report every output format is rendered from.
 */

/** How bad a problem is when found, on ZAP's risk scale. */
export type Severity = 'high' | 'medium' | 'low' | 'info';

/**
 * What a check concluded. `fail` and `warn` count towards the exit code;
 * `info` is advice that never does; `skip` means the check did not apply or
 * was not asked for; `ignored` means the configuration silenced it.
 */
export type Outcome = 'pass' | 'fail' | 'warn' | 'info' | 'skip' | 'ignored';

/** A per-check override from the configuration file, as in ZAP's rule file. */
export type RuleAction = 'fail' | 'warn' | 'ignore';

export type Category = 'transport' | 'headers' | 'leaks' | 'errors' | 'cookies' | 'cors' | 'csrf' | 'operations' | 'rate-limit';

/** One request the audit sent and what came back, as shown in reports. */
export interface Evidence {
  /** `GET /path` as sent. */
  readonly request: string;
  /** Status code, or undefined when the request failed. */
  readonly status?: number;
  /** The response header or body excerpt the conclusion rests on. */
  readonly detail?: string;
}

export interface Finding {
  /** The check's stable id (`csp`, `cookie-secure`, `error-trace`, …). */
  readonly id: string;
  readonly title: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly outcome: Outcome;
  /** The specific result, stable too (`csp-implemented-with-unsafe-inline`). */
  readonly result: string;
  /** One sentence: what was seen. */
  readonly summary: string;
  /** What to change, for anything but a pass. */
  readonly fix?: string;
  readonly evidence: readonly Evidence[];
  /** OWASP ZAP rule ids that report the same problem. */
  readonly zap: readonly number[];
  /** True when only a service reached over HTTPS can pass this check. */
  readonly needsTls?: boolean;
  /** The configuration's action for this check, when one was set. */
  readonly configured?: RuleAction;
  readonly references?: readonly string[];
}

/** One MDN HTTP Observatory test result with its score modifier. */
export interface ObservatoryTest {
  /** `content-security-policy`, `cookies`, … */
  readonly test: string;
  /** The rubric's result name, e.g. `csp-implemented-with-no-unsafe`. */
  readonly result: string;
  readonly modifier: number;
  readonly description: string;
  /** True when the result is only this low because the target is plain HTTP. */
  readonly needsTls?: boolean;
}

export type Grade = 'A+' | 'A' | 'A-' | 'B+' | 'B' | 'B-' | 'C+' | 'C' | 'C-' | 'D+' | 'D' | 'D-' | 'F';

export interface ObservatoryScore {
  readonly score: number;
  readonly grade: Grade;
  /** The score after penalties only: bonuses count only when this is ≥ 90. */
  readonly penaltyScore: number;
  readonly bonusesApplied: boolean;
  readonly tests: readonly ObservatoryTest[];
  /**
   * Over plain HTTP: the score the same headers would earn if the service
   * answered over HTTPS with HSTS and a redirect (the TLS-only penalties
   * removed). Undefined for HTTPS targets.
   */
  readonly withTls?: { readonly score: number; readonly grade: Grade };
}

/** One request in the plan: what the banner lists and the budget counts. */
export interface PlannedProbe {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** Upper bound of requests this probe may send (redirects, rate-limit loops). */
  readonly maxRequests: number;
  readonly why: string;
}

export interface AuditReport {
  readonly tool: { readonly name: string; readonly version: string };
  readonly target: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requestsSent: number;
  readonly maxRequests: number;
  readonly plan: readonly PlannedProbe[];
  readonly observatory: ObservatoryScore;
  /** Failed checks first, then warnings, info, passes, skipped and ignored. */
  readonly findings: readonly Finding[];
  readonly summary: { readonly fail: number; readonly warn: number; readonly info: number; readonly pass: number; readonly skip: number; readonly ignored: number };
  /** Set when `failUnder` was given. */
  readonly failUnder?: Grade;
  /** 0 pass, 1 fail, 2 warnings only (ZAP's exit codes; 3, an error, never yields a report). */
  readonly exitCode: 0 | 1 | 2;
  /** Checks that cannot pass until the service answers over HTTPS (plain-HTTP targets only). */
  readonly needsTls: readonly string[];
}
