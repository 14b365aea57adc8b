import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, readCa } from '../audit/config.js';
import { AuditError, prepareAudit, runAudit } from '../audit/engine.js';
import type { AuditOptions } from '../audit/options.js';
import { toHtml } from '../audit/report/html.js';
import { toJson } from '../audit/report/json.js';
import { toSarif } from '../audit/report/sarif.js';
import { renderBanner, renderProgress, renderReport, style } from '../audit/report/text.js';
import type { Grade, RuleAction } from '../audit/types.js';
import { RampartError } from '../errors/option-error.js';
import type { Command } from './commands.js';

/** ZAP's exit codes: 0 pass, 1 a check failed (or the grade is under --fail-under), 2 warnings only, 3 the audit could not run. */
export const EXIT_ERROR = 3;

const USAGE = `Usage: rampart audit <url> [options]

Grades a running HTTP service's production readiness: security headers
(MDN HTTP Observatory rubric), information leaks, error pages, cookies,
CORS, CSRF, health and metrics endpoints, and (opt-in) rate limiting.
Every request goes to the URL's host only; the banner lists them first.

Target
  --page <path>               another page to visit for cookies and leaks (repeatable)
  --json-path <path>          where the malformed-JSON and oversized-body probes POST (default: the URL's path)
  --csrf-path <path>          state-changing path to post a cross-site form to (repeatable)
  --csrf-method <method>      POST (default), PUT, PATCH or DELETE
  --rate-limit <path>         opt in: send requests to <path> until a 429 (at most --rate-limit-requests)
  --rate-limit-requests <n>   default 60, at most 1000
  --rate-limit-method <m>     GET (default) or POST
  --liveness <path>           liveness path (repeatable; default /health/live, /health, /livez, /healthz)
  --readiness <path>          readiness path (repeatable; default /health/ready, /ready, /readyz)
  --metrics-path <path>       default /metrics
  --skip-metrics              do not probe a metrics path
  --http-port <port>          plain-HTTP port for the HTTP→HTTPS redirect check (default 80 for port 443)
  --header "Name: value"      sent with every request (repeatable)
  --cookie "name=value"       sent with every request (repeatable)
  --ca <file>                 trust this CA certificate (PEM)
  --insecure                  accept any certificate (graded as an invalid chain)

Safety
  --max-requests <n>          budget for the whole run (default 200, at most 2000)
  --timeout <seconds>         per request (default 5)
  --deadline <seconds>        for the whole run (default 120)
  --oversized-bytes <n>       size of the oversized-body probe (default 2097152)
  --dry-run                   print what would be sent, send nothing

Verdict
  --fail-under <grade>        exit 1 when the grade is below (A+ … F)
  --rule <check>=<action>     fail, warn or ignore a check or a ZAP rule id (repeatable)
  --config <file>             settings and rules (default ./rampart-audit.json when present)

Output
  --json                      the report as JSON on stdout (progress stays on stderr)
  --json-file <file>          also write the JSON report
  --html <file>               also write a self-contained HTML report
  --sarif <file>              also write SARIF 2.1.0 for code-scanning UIs
  --quiet                     no banner or progress
  --no-color                  no ANSI colours (also NO_COLOR=1)

Exit codes: 0 pass, 1 failures, 2 warnings only, 3 error.`;

const OPTIONS = {
  page: { type: 'string', multiple: true },
  'json-path': { type: 'string' },
  'csrf-path': { type: 'string', multiple: true },
  'csrf-method': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-limit-requests': { type: 'string' },
  'rate-limit-method': { type: 'string' },
  liveness: { type: 'string', multiple: true },
  readiness: { type: 'string', multiple: true },
  'metrics-path': { type: 'string' },
  'skip-metrics': { type: 'boolean' },
  'http-port': { type: 'string' },
  header: { type: 'string', multiple: true },
  cookie: { type: 'string', multiple: true },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  'max-requests': { type: 'string' },
  timeout: { type: 'string' },
  deadline: { type: 'string' },
  'oversized-bytes': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'fail-under': { type: 'string' },
  rule: { type: 'string', multiple: true },
  config: { type: 'string' },
  json: { type: 'boolean' },
  'json-file': { type: 'string' },
  html: { type: 'string' },
  sarif: { type: 'string' },
  quiet: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

/** A number flag; left for option validation to reject when it is not one. */
const num = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

function fromFlags(values: Values, positionals: readonly string[], config: Partial<AuditOptions>): AuditOptions {
  if (positionals.length > 1) throw new UsageError(`expected one URL, got ${positionals.length}`);
  const url = positionals[0] ?? config.url;
  if (url === undefined) throw new UsageError('missing the URL to audit');
  const options: AuditOptions = { ...config, url };
  const headers: Record<string, string> = { ...config.headers };
  for (const line of values.header ?? []) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new UsageError(`--header expects "Name: value", got "${line}"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  if (values.cookie !== undefined) {
    const existing = Object.keys(headers).find((name) => name.toLowerCase() === 'cookie');
    const cookies = [...(existing === undefined ? [] : [headers[existing] as string]), ...values.cookie];
    if (existing !== undefined) delete headers[existing];
    headers['cookie'] = cookies.join('; ');
  }
  if (Object.keys(headers).length > 0) options.headers = headers;
  const rules: Record<string, RuleAction> = { ...config.rules };
  for (const rule of values.rule ?? []) {
    const [id, action] = rule.split('=');
    if (id === undefined || action === undefined) throw new UsageError(`--rule expects <check>=<fail|warn|ignore>, got "${rule}"`);
    rules[id.trim()] = action.trim().toLowerCase() as RuleAction;
  }
  if (Object.keys(rules).length > 0) options.rules = rules;
  const assign = <K extends keyof AuditOptions>(key: K, value: AuditOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  assign('pages', values.page);
  assign('jsonPath', values['json-path']);
  assign('csrfPaths', values['csrf-path']);
  assign('csrfMethod', values['csrf-method']?.toUpperCase() as AuditOptions['csrfMethod']);
  if (values['rate-limit'] !== undefined || values['rate-limit-requests'] !== undefined || values['rate-limit-method'] !== undefined) {
    const base = config.rateLimit;
    const path = values['rate-limit'] ?? base?.path;
    if (path === undefined) throw new UsageError('--rate-limit-requests and --rate-limit-method need --rate-limit <path>');
    const method = (values['rate-limit-method']?.toUpperCase() ?? base?.method) as 'GET' | 'POST' | undefined;
    const requests = num(values['rate-limit-requests']) ?? base?.requests;
    options.rateLimit = { ...base, path, ...(method === undefined ? {} : { method }), ...(requests === undefined ? {} : { requests }) };
  }
  assign('livenessPaths', values.liveness);
  assign('readinessPaths', values.readiness);
  assign('metricsPath', values['skip-metrics'] === true ? false : values['metrics-path']);
  assign('httpPort', num(values['http-port']));
  assign('maxRequests', num(values['max-requests']));
  const timeout = num(values.timeout);
  const deadline = num(values.deadline);
  assign('timeoutMs', timeout === undefined ? undefined : Math.round(timeout * 1000));
  assign('deadlineMs', deadline === undefined ? undefined : Math.round(deadline * 1000));
  assign('oversizedBytes', num(values['oversized-bytes']));
  if (values.ca !== undefined) options.ca = readCa(values.ca);
  if (values.insecure === true) options.insecure = true;
  assign('failUnder', values['fail-under']?.toUpperCase() as Grade | undefined);
  return options;
}

async function run(argv: readonly string[]): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    stderr.write(`rampart audit: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    stdout.write(`${USAGE}\n`);
    return 0;
  }
  const noColor = values['no-color'] === true || (process.env['NO_COLOR'] ?? '') !== '';
  const out = style(!noColor && stdout.isTTY === true && values.json !== true);
  const err = style(!noColor && stderr.isTTY === true);
  try {
    const { options: configured } = loadConfig(values.config, process.cwd());
    const options = fromFlags(values, positionals, configured);
    const prepared = prepareAudit(options);
    if (values['dry-run'] === true) {
      stdout.write(`${renderBanner(prepared, out)}\nDry run: nothing was sent.\n`);
      return 0;
    }
    const quiet = values.quiet === true;
    if (!quiet) stderr.write(`${renderBanner(prepared, err)}\n`);
    let index = 0;
    const report = await runAudit({ ...options, ...(quiet ? {} : { onRequest: (event) => stderr.write(`${renderProgress(event, ++index, prepared.maxRequests, err)}\n`) }) }, prepared);
    if (values['json-file'] !== undefined) writeFileSync(values['json-file'], toJson(report));
    if (values.html !== undefined) writeFileSync(values.html, toHtml(report));
    if (values.sarif !== undefined) writeFileSync(values.sarif, `${JSON.stringify(toSarif(report), null, 2)}\n`);
    stdout.write(values.json === true ? toJson(report) : renderReport(report, out));
    return report.exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`rampart audit: ${error.message}\n\nRun "rampart audit --help" for the options.\n`);
      return EXIT_ERROR;
    }
    if (error instanceof AuditError || error instanceof ConfigError || error instanceof RampartError) {
      stderr.write(`rampart audit: ${error.message}\n`);
      return EXIT_ERROR;
    }
    stderr.write(`rampart audit: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_ERROR;
  }
}

export const command: Command = {
  summary: 'Grade a running service: headers (Observatory score), leaks, error pages, cookies, CORS, CSRF, health, rate limits',
  run,
};
