import type { RequestEvent } from '../http/client.js';
import type { AuditPlan } from '../engine.js';
import type { AuditReport, Finding, Outcome } from '../types.js';

/** The terminal report: banner before, one progress line per request, the verdict after. */

export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly green: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const ansi = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
const plain = (text: string): string => text;

export function style(color: boolean): Style {
  return color
    ? { bold: ansi('1'), dim: ansi('2'), red: ansi('31'), yellow: ansi('33'), green: ansi('32'), cyan: ansi('36') }
    : { bold: plain, dim: plain, red: plain, yellow: plain, green: plain, cyan: plain };
}

/** What will be sent, before anything is: the banner the issue asks for. */
export function renderBanner(prepared: AuditPlan, s: Style = style(false)): string {
  const { options, plan, maxRequests } = prepared;
  const lines = [
    `${s.bold('rampart audit')}  ${options.url.href}`,
    `Sends at most ${maxRequests} requests, to ${options.url.hostname} only (budget ${options.maxRequests}; ${options.timeoutMs / 1000} s per request, ${options.deadlineMs / 1000} s in all):`,
  ];
  const width = Math.max(...plan.map((probe) => probe.path.length));
  for (const probe of plan) {
    lines.push(`  ${probe.method.padEnd(8)} ${probe.path.padEnd(Math.min(width, 48))}  ${s.dim(`${probe.why} (≤ ${probe.maxRequests})`)}`);
  }
  lines.push(s.dim('Nothing else is sent: no crawling, no payloads beyond those listed, no other host.'), '');
  return lines.join('\n');
}

export function renderProgress(event: RequestEvent, index: number, total: number, s: Style): string {
  const shown = event.display.length > 40 ? `${event.display.slice(0, 39)}…` : event.display;
  const outcome = event.status === undefined ? s.yellow(event.error ?? 'no answer') : String(event.status);
  return s.dim(`  [${String(index).padStart(String(total).length)}/${total}] ${event.probe.padEnd(18)} ${event.method.padEnd(8)} ${shown.padEnd(40)} `) + `${outcome} ${s.dim(`${event.durationMs} ms`)}`;
}

const MARK: Record<Outcome, string> = { fail: '✗', warn: '!', info: 'i', pass: '✓', skip: '-', ignored: '~' };

function paint(outcome: Outcome, text: string, s: Style): string {
  switch (outcome) {
    case 'fail':
      return s.red(text);
    case 'warn':
      return s.yellow(text);
    case 'info':
      return s.cyan(text);
    case 'pass':
      return s.green(text);
    case 'skip':
    case 'ignored':
      return s.dim(text);
  }
}

function renderFinding(item: Finding, s: Style): string[] {
  const zap = item.zap.length === 0 ? '' : `  ZAP ${item.zap.join(', ')}`;
  const configured = item.configured === undefined ? '' : s.dim(`  (configured: ${item.configured})`);
  const lines = [`  ${paint(item.outcome, MARK[item.outcome], s)} ${s.bold(item.id)}  ${item.title}  ${s.dim(`[${item.severity}] ${item.result}${zap}`)}${configured}`, `      ${item.summary}`];
  for (const proof of item.evidence.slice(0, 3)) {
    const detail = proof.detail === undefined ? '' : `  ${proof.detail.split('\n').join(' | ')}`;
    lines.push(s.dim(`      ${proof.request}${proof.status === undefined ? '' : ` → ${proof.status}`}${detail}`));
  }
  if (item.fix !== undefined) lines.push(`      ${s.bold('fix:')} ${item.fix}`);
  if (item.needsTls === true && item.outcome !== 'pass') lines.push(s.dim('      needs TLS: cannot pass over plain HTTP'));
  return lines;
}

export function renderReport(report: AuditReport, s: Style = style(false)): string {
  const { observatory: o } = report;
  const gradeText = o.grade.startsWith('A') ? s.green(o.grade) : o.grade.startsWith('B') ? s.yellow(o.grade) : s.red(o.grade);
  const lines = [
    '',
    `${s.bold('Grade')} ${s.bold(gradeText)}  score ${o.score}  ${s.dim(`(MDN HTTP Observatory rubric: penalties ${o.penaltyScore - 100}, bonuses ${o.bonusesApplied ? 'applied' : `not applied${o.penaltyScore < 90 ? ' (penalty-only score under 90)' : ''}`})`)}`,
  ];
  for (const test of o.tests) {
    const text = (test.modifier > 0 ? `+${test.modifier}` : String(test.modifier)).padStart(3);
    const modifier = test.modifier > 0 ? s.green(text) : test.modifier < 0 ? s.red(text) : s.dim(text);
    lines.push(`  ${modifier}  ${test.test.padEnd(31)} ${s.dim(test.result)}${test.needsTls === true ? s.dim('  (needs TLS)') : ''}`);
  }
  const groups: [Outcome, string][] = [
    ['fail', 'FAILED'],
    ['warn', 'WARNINGS'],
    ['info', 'ADVICE'],
  ];
  for (const [outcome, heading] of groups) {
    const items = report.findings.filter((item) => item.outcome === outcome);
    if (items.length === 0) continue;
    lines.push('', paint(outcome, s.bold(`${heading} (${items.length})`), s));
    for (const item of items) lines.push(...renderFinding(item, s));
  }
  const brief = (outcome: Outcome, heading: string, withReason: boolean): void => {
    const items = report.findings.filter((item) => item.outcome === outcome);
    if (items.length === 0) return;
    lines.push('', paint(outcome, `${heading} (${items.length})`, s));
    if (withReason) for (const item of items) lines.push(s.dim(`  ${MARK[outcome]} ${item.id}: ${item.summary}`));
    else lines.push(s.dim(`  ${items.map((item) => item.id).join(', ')}`));
  };
  brief('pass', 'PASSED', false);
  brief('skip', 'SKIPPED', true);
  brief('ignored', 'IGNORED by configuration', false);
  if (report.needsTls.length > 0 || o.withTls !== undefined) {
    lines.push('', s.bold('Over plain HTTP'), `  These checks need TLS and cannot pass until the service answers over HTTPS: ${report.needsTls.join(', ') || 'none'}.`);
    const tlsTests = o.tests.filter((test) => test.needsTls === true);
    if (tlsTests.length > 0) lines.push(`  Score lost to plain HTTP: ${tlsTests.map((test) => `${test.test} ${test.modifier}`).join(', ')}.`);
    if (o.withTls !== undefined) lines.push(`  Served over HTTPS with a redirect and HSTS, the same headers would score ${o.withTls.score} (${o.withTls.grade}).`);
  }
  const { summary } = report;
  const verdict = report.exitCode === 0 ? s.green('PASS') : report.exitCode === 2 ? s.yellow('PASS WITH WARNINGS') : s.red('FAIL');
  const floor = report.failUnder === undefined ? '' : `; grade ${o.grade} vs --fail-under ${report.failUnder}`;
  lines.push(
    '',
    `${s.bold('Result:')} ${verdict} (exit ${report.exitCode}): ${summary.fail} failed, ${summary.warn} warnings, ${summary.info} advice, ${summary.pass} passed, ${summary.skip} skipped${summary.ignored > 0 ? `, ${summary.ignored} ignored` : ''}${floor}`,
    s.dim(`${report.requestsSent} requests in ${(report.durationMs / 1000).toFixed(1)} s`),
    '',
  );
  return lines.join('\n');
}
