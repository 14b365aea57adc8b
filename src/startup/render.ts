import type { ConfigIssue } from '../config/rules.js';
import type { SettingSummary } from '../config/load.js';
import { EXIT_CONFIG, type CheckOutcome, type StartupReport } from './run.js';

export interface RenderOptions {
  /** Shown in the title. Default `service`. */
  name?: string;
  /** ANSI colours. Default off; `startup()` turns them on for a terminal without `NO_COLOR`. */
  color?: boolean;
}

interface Paint {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const PLAIN: Paint = { ok: (t) => t, bad: (t) => t, warn: (t) => t, dim: (t) => t, bold: (t) => t };
const ANSI: Paint = {
  ok: (t) => `\u001b[32m${t}\u001b[39m`,
  bad: (t) => `\u001b[31m${t}\u001b[39m`,
  warn: (t) => `\u001b[33m${t}\u001b[39m`,
  dim: (t) => `\u001b[2m${t}\u001b[22m`,
  bold: (t) => `\u001b[1m${t}\u001b[22m`,
};

/**
 * The banner report: each step with ✓/✗, every problem with its remedy,
 * then the verdict and its exit code. Holds no secret value: issues never
 * carry one and settings are not listed (see `--json` / `describeConfig`).
 */
export function formatStartupReport(report: StartupReport<unknown>, options: RenderOptions = {}): string {
  const paint = options.color === true ? ANSI : PLAIN;
  const lines: string[] = [];
  lines.push(paint.bold(`Rampart startup · ${options.name ?? 'service'} · ${report.profile}`) + paint.dim(` (profile from ${report.profileSource})`), '');

  lines.push('  Configuration');
  if (report.errors.length === 0) lines.push(`    ${paint.ok('✓')} ${report.settings.length} settings valid ${paint.dim(`(${sourceCounts(report.settings)})`)}`);
  for (const issue of report.errors) lines.push(...issueLines(issue, paint.bad('✗'), paint));
  for (const issue of report.warnings) lines.push(...issueLines(issue, paint.warn('!'), paint));

  if (report.checks.length > 0 || report.checksSkipped) {
    lines.push('', '  Dependencies');
    if (report.checksSkipped) lines.push(`    ${paint.dim('- not checked: the configuration is invalid')}`);
    const width = Math.max(0, ...report.checks.map((check) => check.name.length));
    for (const check of report.checks) lines.push(...checkLines(check, width, paint));
  }

  lines.push('');
  if (report.ok) {
    lines.push(`  ${paint.ok('✓')} ${paint.bold('Ready')} ${paint.dim(`in ${report.durationMs} ms`)}`);
  } else if (report.exitCode === EXIT_CONFIG) {
    const count = report.errors.length;
    lines.push(`  ${paint.bad('✗')} ${paint.bold(`Startup refused: ${count} configuration problem${count === 1 ? '' : 's'}`)} ${paint.dim(`(exit ${report.exitCode})`)}`);
  } else {
    const failed = report.checks.filter((check) => check.critical && check.status === 'fail').length;
    lines.push(`  ${paint.bad('✗')} ${paint.bold(`Startup refused: ${failed} dependenc${failed === 1 ? 'y' : 'ies'} unavailable`)} ${paint.dim(`(exit ${report.exitCode})`)}`);
  }
  return `${lines.join('\n')}\n`;
}

function issueLines(issue: ConfigIssue, mark: string, paint: Paint): string[] {
  const from = issue.source === undefined || issue.message.includes(issue.source) ? '' : paint.dim(` (from ${issue.source})`);
  const lines = [`    ${mark} ${issue.message}${from}`];
  if (issue.remedy !== undefined) lines.push(`      ${paint.dim('→')} ${issue.remedy}`);
  return lines;
}

function checkLines(check: CheckOutcome, width: number, paint: Paint): string[] {
  const mark = check.status === 'pass' ? paint.ok('✓') : check.status === 'warn' ? paint.warn('!') : paint.bad('✗');
  const detail = check.output === undefined ? '' : `  ${check.output}`;
  const optional = check.critical ? '' : paint.dim(' (not critical)');
  const lines = [`    ${mark} ${check.name.padEnd(width)}${detail}${optional} ${paint.dim(`${Math.round(check.durationMs)} ms`)}`];
  if (check.status !== 'pass' && check.remedy !== undefined) lines.push(`      ${paint.dim('→')} ${check.remedy}`);
  return lines;
}

/** `3 from environment, 2 from .env, 20 defaults`: where the values came from, at a glance. */
function sourceCounts(settings: readonly SettingSummary[]): string {
  const counts = new Map<string, number>();
  for (const setting of settings) {
    if (setting.source === 'unset') continue;
    // `APP_ENV in .env` counts for `.env`.
    const source = setting.source.replace(/^[A-Z_]+ in /, '');
    const bucket = source.startsWith('default') ? 'defaults' : source.endsWith('_FILE') ? 'files (_FILE)' : source;
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([bucket, count]) => (bucket === 'defaults' || bucket === 'generated' ? `${count} ${bucket}` : `${count} from ${bucket}`))
    .join(', ');
}

/** The report as JSON (`rampart check --json`): settings redacted, no configuration values beyond them. */
export function startupReportJson(report: StartupReport<unknown>): Record<string, unknown> {
  return {
    ok: report.ok,
    exitCode: report.exitCode,
    profile: report.profile,
    profileSource: report.profileSource,
    errors: report.errors,
    warnings: report.warnings,
    checks: report.checks,
    checksSkipped: report.checksSkipped,
    settings: report.settings,
    durationMs: report.durationMs,
  };
}
