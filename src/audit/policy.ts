import { gradeBelow } from './observatory/rubric.js';
import type { AuditReport, Finding, Grade, Outcome, RuleAction, Severity } from './types.js';

/**
 * ZAP's rule-file semantics: an action set for a check id (or for a ZAP rule
 * id the check maps to) replaces what any non-passing outcome counts as.
 * `fail` and `warn` apply to `info` outcomes too, so advice can be made a
 * requirement; passes and skips are never changed. The score is the rubric's
 * and is never changed by rules.
 */
export function applyRules(findings: readonly Finding[], rules: Readonly<Record<string, RuleAction>>): Finding[] {
  return findings.map((item) => {
    const action = rules[item.id] ?? item.zap.map((id) => rules[String(id)]).find((value) => value !== undefined);
    if (action === undefined || item.outcome === 'pass' || item.outcome === 'skip') return item;
    const outcome: Outcome = action === 'ignore' ? 'ignored' : action;
    return { ...item, outcome, configured: action };
  });
}

const OUTCOME_ORDER: readonly Outcome[] = ['fail', 'warn', 'info', 'pass', 'skip', 'ignored'];
const SEVERITY_ORDER: readonly Severity[] = ['high', 'medium', 'low', 'info'];

/** Failed checks first, then warnings, advice, passes, skipped and ignored; worst risk first within each. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => OUTCOME_ORDER.indexOf(a.outcome) - OUTCOME_ORDER.indexOf(b.outcome) || SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity),
  );
}

export function summarize(findings: readonly Finding[]): AuditReport['summary'] {
  const count = (outcome: Outcome): number => findings.filter((item) => item.outcome === outcome).length;
  return { fail: count('fail'), warn: count('warn'), info: count('info'), pass: count('pass'), skip: count('skip'), ignored: count('ignored') };
}

/** ZAP's exit codes: 1 when anything fails (or the grade is under the floor), 2 for warnings only, else 0. */
export function exitCodeOf(summary: AuditReport['summary'], grade: Grade, failUnder: Grade | undefined): 0 | 1 | 2 {
  if (summary.fail > 0 || (failUnder !== undefined && gradeBelow(grade, failUnder))) return 1;
  return summary.warn > 0 ? 2 : 0;
}
