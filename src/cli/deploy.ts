import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, renameSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { renderNginxConfig } from '../deploy/nginx.js';
import type { NginxOptions } from '../deploy/nginx-options.js';
import { renderSystemdUnits, type SystemdOptions } from '../deploy/systemd.js';
import { checkTrustProxy, parseTrustProxy } from '../deploy/trust-proxy-match.js';
import type { Command } from './commands.js';

const run = promisify(execFile);

const USAGE = `Usage: rampart deploy <nginx|systemd> [options]

rampart deploy nginx --server-name api.example.com --upstream 127.0.0.1:3001 [--upstream …]
                     --cert /etc/ssl/fullchain.pem --key /etc/ssl/privkey.pem [options]
  --server-name NAME        host name served (repeat for more; the first is canonical)
  --upstream HOST:PORT      a Rampart instance (repeat; unix:/path for a socket)
  --cert FILE, --key FILE   certificate chain and private key (PEM)
  --chain FILE              issuer chain: turns on OCSP stapling   --resolver IP (repeat)
  --dhparam FILE            DH group enabling the DHE suites (default ECDHE only)
  --https-port N (443)      --http-port N (80)      --no-http      --listen ADDR (repeat)
  --body-limit SIZE (1m)    --read-timeout S (60)   --connect-timeout S (5)
  --upstream-keepalive S (30)                       must stay below the app's keep-alive timeout (65 s)
  --fail-timeout S (10)     how long a failed instance is skipped
  --rate-limit N            per-client-IP requests per second at the edge   --burst N (2×N)
  --hsts-max-age S          --hsts-preload          --no-hsts      --no-http2
  --real-ip-from CIDR       a load balancer in front of nginx (repeat)
  --acme-root DIR           serve /.well-known/acme-challenge/ for certbot --webroot
  --hidden-path PATH        answered 404 at the edge (repeat; default /metrics, /status)
  --no-hidden-paths         proxy every path
  --name ID (rampart)       prefix of upstream/zone/variable names
  --nginx-version X.Y.Z     default: the installed nginx's, else 1.22.0
  --standalone PREFIX       a whole nginx.conf with pid/logs/temp under PREFIX [--user USER]
  --proxy-address CIDR      where nginx connects from, when instances are not on loopback (repeat)
  --app-trust-proxy VALUE   the app's trustProxy (default: $TRUST_PROXY): a mismatch exits 1
  --out FILE                write here instead of stdout
  --test                    run "nginx -t" on the result (needs nginx; certificate files must exist)

rampart deploy systemd --name notes [options]
  --exec "CMD"              absolute command line (default "/usr/bin/node dist/main.js")
  --working-directory DIR   (/opt/NAME)          --user USER (NAME)
  --environment-file FILE   (/etc/NAME/NAME.env)
  --credential NAME         secret loaded with LoadCredential, read through NAME_FILE (repeat; default SECRET_KEY)
  --credentials-directory DIR (/etc/NAME/credentials)   --data-dir DIR (/var/lib/NAME)
  --template                NAME@.service, the instance name is the port (several instances)
  --port N (3000)           --host ADDR (127.0.0.1)     --after UNIT (repeat)
  --shutdown-delay S (5)    --drain S (25)              TimeoutStopSec is their sum + 10
  --backup                  also NAME-backup.service/.timer: create --verify, then prune
  --backup-source="ARGS"    --backup-dir DIR  --backup-schedule CAL (daily)  --keep-days N (14)  --keep-last N (7)
  --out-dir DIR             write the unit files there instead of stdout`;

export const command: Command = {
  summary: 'Generate an nginx TLS reverse proxy config or systemd units matched to Rampart',
  async run(argv) {
    const [target, ...rest] = argv;
    try {
      switch (target) {
        case 'nginx':
          return await nginx(rest);
        case 'systemd':
          return systemd(rest);
        case undefined:
        case '--help':
        case '-h':
          process.stdout.write(`${USAGE}\n`);
          return target === undefined ? 64 : 0;
        default:
          process.stderr.write(`rampart deploy: unknown target "${target}"\n\n${USAGE}\n`);
          return 64;
      }
    } catch (error) {
      const usage = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
      process.stderr.write(`rampart deploy: ${error instanceof Error ? error.message : String(error)}\n`);
      return usage ? 64 : 1;
    }
  },
};

async function nginx(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      'server-name': { type: 'string', multiple: true },
      upstream: { type: 'string', multiple: true },
      cert: { type: 'string' },
      key: { type: 'string' },
      chain: { type: 'string' },
      resolver: { type: 'string', multiple: true },
      dhparam: { type: 'string' },
      'https-port': { type: 'string' },
      'http-port': { type: 'string' },
      'no-http': { type: 'boolean' },
      listen: { type: 'string', multiple: true },
      'body-limit': { type: 'string' },
      'read-timeout': { type: 'string' },
      'connect-timeout': { type: 'string' },
      'upstream-keepalive': { type: 'string' },
      'fail-timeout': { type: 'string' },
      'rate-limit': { type: 'string' },
      burst: { type: 'string' },
      'hsts-max-age': { type: 'string' },
      'hsts-preload': { type: 'boolean' },
      'no-hsts': { type: 'boolean' },
      'no-http2': { type: 'boolean' },
      'real-ip-from': { type: 'string', multiple: true },
      'acme-root': { type: 'string' },
      'hidden-path': { type: 'string', multiple: true },
      'no-hidden-paths': { type: 'boolean' },
      name: { type: 'string' },
      'nginx-version': { type: 'string' },
      standalone: { type: 'string' },
      user: { type: 'string' },
      'proxy-address': { type: 'string', multiple: true },
      'app-trust-proxy': { type: 'string' },
      out: { type: 'string' },
      test: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = (['server-name', 'upstream', 'cert', 'key'] as const).filter((flag) => values[flag] === undefined);
  if (missing.length > 0) {
    process.stderr.write(`rampart deploy nginx: missing ${missing.map((flag) => `--${flag}`).join(', ')}\n`);
    return 64;
  }
  const options: NginxOptions = {
    serverNames: values['server-name'] as string[],
    upstreams: values.upstream as string[],
    certificate: values.cert as string,
    certificateKey: values.key as string,
    ...defined('trustedCertificate', values.chain),
    ...defined('resolvers', values.resolver),
    ...defined('dhparam', values.dhparam),
    ...defined('httpsPort', integer(values['https-port'])),
    ...(values['no-http'] === true ? { httpPort: false as const } : defined('httpPort', integer(values['http-port']))),
    ...defined('listen', values.listen),
    ...defined('bodyLimit', values['body-limit']),
    ...defined('readTimeoutSeconds', integer(values['read-timeout'])),
    ...defined('connectTimeoutSeconds', integer(values['connect-timeout'])),
    ...defined('upstreamKeepaliveSeconds', integer(values['upstream-keepalive'])),
    ...defined('failTimeoutSeconds', integer(values['fail-timeout'])),
    ...(values['rate-limit'] === undefined
      ? {}
      : { rateLimit: { perSecond: integer(values['rate-limit']) as number, ...defined('burst', integer(values.burst)) } }),
    hsts: values['no-hsts'] === true ? false : { ...defined('maxAge', integer(values['hsts-max-age'])), preload: values['hsts-preload'] === true },
    ...defined('realIpFrom', values['real-ip-from']),
    ...defined('acmeRoot', values['acme-root']),
    ...(values['no-hidden-paths'] === true ? { hiddenPaths: [] } : defined('hiddenPaths', values['hidden-path'])),
    http2: values['no-http2'] !== true,
    nginxVersion: values['nginx-version'] ?? (await installedNginxVersion()) ?? '1.22.0',
    ...defined('name', values.name),
    ...(values.standalone === undefined ? {} : { standalone: { prefix: values.standalone, ...defined('user', values.user) } }),
  };
  const config = renderNginxConfig(options, values['proxy-address'] ?? []);
  if (values.out === undefined) process.stdout.write(config.text);
  else writeAtomically(values.out, config.text, 0o644);

  const say = (text: string): boolean => process.stderr.write(`${text}\n`);
  say(`Rampart setting for this config: trustProxy: ${JSON.stringify(config.trust.trustProxy)}   (TRUST_PROXY=${config.trust.env})`);
  for (const note of config.notes) say(`note: ${note}`);
  let status = 0;
  const envTrust = process.env['TRUST_PROXY'];
  const appTrust = values['app-trust-proxy'] ?? (envTrust === '' ? undefined : envTrust);
  if (appTrust !== undefined) {
    const problems = checkTrustProxy(config.trust, parseTrustProxy(appTrust));
    for (const problem of problems) say(`MISMATCH: ${problem}`);
    if (problems.length === 0) say(`The app's trustProxy (${appTrust}) matches this config.`);
    else status = 1;
  }
  if (values.test === true) status = Math.max(status, await testConfig(options, config.text));
  return status;
}

/** `nginx -t` on the config, wrapped in a standalone skeleton under a temp prefix so nothing of the host's nginx is touched. */
async function testConfig(options: NginxOptions, text: string): Promise<number> {
  const prefix = mkdtempSync(join(tmpdir(), 'rampart-nginx-test-'));
  try {
    const standalone = options.standalone === undefined ? renderNginxConfig({ ...options, standalone: { prefix } }).text : text;
    const file = join(prefix, 'nginx.conf');
    writeFileSync(file, standalone);
    const result = await run('nginx', ['-t', '-q', '-p', prefix, '-c', file, '-e', join(prefix, 'error.log')]).then(
      () => ({ ok: true, output: '' }),
      (error: { code?: string; stderr?: string }) => ({ ok: false, output: error.code === 'ENOENT' ? 'nginx is not installed (Debian: apt-get install nginx)' : (error.stderr ?? '') }),
    );
    process.stderr.write(result.ok ? 'nginx -t: the configuration is valid.\n' : `nginx -t failed:\n${result.output}\n`);
    return result.ok ? 0 : 1;
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

async function installedNginxVersion(): Promise<string | undefined> {
  try {
    const { stderr } = await run('nginx', ['-v']);
    return /nginx\/(\d+\.\d+\.\d+)/.exec(stderr)?.[1];
  } catch {
    return undefined;
  }
}

function systemd(argv: readonly string[]): number {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      name: { type: 'string' },
      description: { type: 'string' },
      exec: { type: 'string' },
      'working-directory': { type: 'string' },
      user: { type: 'string' },
      'environment-file': { type: 'string' },
      credential: { type: 'string', multiple: true },
      'credentials-directory': { type: 'string' },
      'data-dir': { type: 'string' },
      template: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      'shutdown-delay': { type: 'string' },
      drain: { type: 'string' },
      after: { type: 'string', multiple: true },
      backup: { type: 'boolean' },
      'backup-source': { type: 'string' },
      'backup-dir': { type: 'string' },
      'backup-schedule': { type: 'string' },
      'keep-days': { type: 'string' },
      'keep-last': { type: 'string' },
      'out-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.name === undefined) {
    process.stderr.write('rampart deploy systemd: missing --name\n');
    return 64;
  }
  const options: SystemdOptions = {
    name: values.name,
    ...defined('description', values.description),
    ...defined('execStart', values.exec),
    ...defined('workingDirectory', values['working-directory']),
    ...defined('user', values.user),
    ...defined('environmentFile', values['environment-file']),
    ...defined('credentials', values.credential),
    ...defined('credentialsDirectory', values['credentials-directory']),
    ...defined('dataDirectory', values['data-dir']),
    template: values.template === true,
    ...defined('port', integer(values.port)),
    ...defined('host', values.host),
    ...defined('shutdownDelaySeconds', integer(values['shutdown-delay'])),
    ...defined('drainSeconds', integer(values.drain)),
    ...defined('after', values.after),
    ...(values.backup === true
      ? {
          backup: {
            ...defined('source', values['backup-source']),
            ...defined('directory', values['backup-dir']),
            ...defined('schedule', values['backup-schedule']),
            ...defined('keepDays', integer(values['keep-days'])),
            ...defined('keepLast', integer(values['keep-last'])),
          },
        }
      : {}),
  };
  const units = renderSystemdUnits(options);
  const outDir = values['out-dir'];
  for (const file of units.files) {
    if (outDir === undefined) process.stdout.write(`# ---- ${file.name} ----\n${file.text}\n`);
    else writeAtomically(join(outDir, file.name), file.text, 0o644);
  }
  if (outDir !== undefined) process.stderr.write(`wrote ${units.files.map((file) => join(outDir, file.name)).join(', ')}\n`);
  for (const note of units.notes) process.stderr.write(`note: ${note}\n`);
  return 0;
}

/** Writes through a temp file and rename, so a reader never sees half a config. */
function writeAtomically(file: string, text: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode });
  chmodSync(temp, mode);
  renameSync(temp, file);
}

/** `{ [key]: value }` when the value was given, so optional options stay absent (exactOptionalPropertyTypes). */
function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw Object.assign(new TypeError(`expected a whole number, got "${value}"`), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
  return Number(value);
}
