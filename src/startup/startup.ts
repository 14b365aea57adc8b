import { ConfigError, type ConfigDefinition } from '../config/define.js';
import { RampartError } from '../errors/option-error.js';
import { formatStartupReport, startupReportJson } from './render.js';
import { EXIT_CONFIG, runStartup, type RunStartupOptions, type StartupReport } from './run.js';

export interface StartupOptions<C> extends RunStartupOptions<C> {
  /** The service's name in the report title. Default `service`. */
  name?: string;
  /** Where the report goes. Default `process.stderr`, keeping stdout for JSON logs. */
  output?: NodeJS.WritableStream;
  /** `text` (the banner) or `json` (one line). Default `text`. */
  format?: 'text' | 'json';
  /** ANSI colours. Default: when `output` is a terminal and `NO_COLOR` is unset. */
  color?: boolean;
  /** `always`, or `failures` (and warnings). Default `always`, `failures` in the test profile. */
  report?: 'always' | 'failures';
  /**
   * On failure: `exit` the process with 78 (configuration) or 69
   * (dependency), or `throw` a `ConfigError` / `StartupError`. Default `exit`.
   */
  onFailure?: 'exit' | 'throw';
}

/** Thrown (with `onFailure: 'throw'`) when a critical dependency check fails. */
export class StartupError extends RampartError {
  readonly report: StartupReport<unknown>;

  constructor(report: StartupReport<unknown>) {
    const failed = report.checks.filter((check) => check.critical && check.status === 'fail');
    super('RAMPART_DEPENDENCY_UNAVAILABLE', `Critical dependency checks failed: ${failed.map((check) => `${check.name} (${check.output ?? 'failed'})`).join(', ')}`);
    this.name = 'StartupError';
    this.report = report;
  }
}

/**
 * Fail-fast startup: validates the configuration, runs the critical checks,
 * prints a ✓/✗ report and returns the frozen configuration — or, on any
 * problem, reports them all and exits 78 (configuration) or 69 (dependency
 * unavailable) before the server listens. Secrets never appear in the output.
 *
 * @example
 * const config = await startup(definition, {
 *   name: 'notes',
 *   checks: (config) => [postgresCheck({ url: config.DATABASE_URL, tables: ['users'] })],
 * });
 * const app = Fastify();
 * await app.register(rampart, optionsFrom(config));
 */
export async function startup<C>(definition: ConfigDefinition<C>, options: StartupOptions<C> = {}): Promise<C> {
  const report = await runStartup(definition, options);
  const output = options.output ?? process.stderr;
  const show = options.report ?? (report.profile === 'test' ? 'failures' : 'always');
  if (show === 'always' || !report.ok || report.warnings.length > 0) {
    const color = options.color ?? ((output as { isTTY?: boolean }).isTTY === true && !process.env['NO_COLOR']);
    const text = options.format === 'json' ? `${JSON.stringify(startupReportJson(report))}\n` : formatStartupReport(report, { ...(options.name === undefined ? {} : { name: options.name }), color });
    await write(output, text);
  }
  if (report.ok) return report.config as C;
  if (options.onFailure === 'throw') throw report.exitCode === EXIT_CONFIG ? new ConfigError(report.errors) : new StartupError(report);
  process.exit(report.exitCode);
}

function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    output.write(text, () => resolve());
  });
}
