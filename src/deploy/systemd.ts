import { isAbsolute } from 'node:path';
import { invalidOption } from '../errors/option-error.js';

/** Options of `renderSystemdUnits` (CLI: `rampart deploy systemd`). */
export interface SystemdOptions {
  /** Unit name, also the default user, state directory and config directory. Required. */
  name: string;
  /** Default `<name> (Rampart-hardened HTTP service)`. */
  description?: string;
  /** The service's command line; the executable must be absolute. Default `/usr/bin/node dist/main.js`. */
  execStart?: string;
  /** Default `/opt/<name>`. */
  workingDirectory?: string;
  /** Unprivileged account the service runs as (create it with `useradd --system`). Default `<name>`. */
  user?: string;
  /** Non-secret settings, one `NAME=value` a line. Default `/etc/<name>/<name>.env`; it must exist. */
  environmentFile?: string;
  /**
   * Secrets passed as systemd credentials: each `NAME` is read by systemd from
   * `<credentialsDirectory>/<NAME>` (root-only, never in the environment or
   * `systemctl show`) and the app reads it through `NAME_FILE`. Default `['SECRET_KEY']`.
   */
  credentials?: readonly string[];
  /** Default `/etc/<name>/credentials`. */
  credentialsDirectory?: string;
  /** The one writable directory (SQLite database, uploads). Default `/var/lib/<name>`, created by systemd. */
  dataDirectory?: string;
  /**
   * `true` for a template unit `<name>@.service` whose instance name is the
   * port (`systemctl start app@3001 app@3002`): several instances behind nginx.
   * Default false: one instance on `port`.
   */
  template?: boolean;
  /** Default 3000. Ignored for a template unit. */
  port?: number;
  /** Default `127.0.0.1`: only nginx on this host reaches the app. */
  host?: string;
  /** Rampart's delay between failing readiness and closing the listener. Default 5 (production). */
  shutdownDelaySeconds?: number;
  /** Rampart's deadline for in-flight requests after the listener closes. Default 25 (production). */
  drainSeconds?: number;
  /** Units to start after (e.g. `postgresql.service`, `redis-server.service`). Default none. */
  after?: readonly string[];
  /** Also emit `<name>-backup.service` and `.timer` running `rampart backup create/verify/prune` on a schedule. */
  backup?: BackupTimerOptions;
}

export interface BackupTimerOptions {
  /** Arguments naming the database, e.g. `--sqlite /var/lib/app/app.db`. Default none: `DATABASE_URL` (or `DATABASE_URL_FILE`) from the environment. */
  source?: string;
  /** Where backups go. Default `/var/backups/<name>`. */
  directory?: string;
  /** `OnCalendar=` expression. Default `daily`. */
  schedule?: string;
  /** Default 14. */
  keepDays?: number;
  /** Default 7. */
  keepLast?: number;
  /** The `rampart` executable. Default `/usr/bin/node node_modules/.bin/rampart`, run from the working directory. */
  rampart?: string;
}

export interface SystemdUnits {
  readonly files: readonly { readonly name: string; readonly text: string }[];
  readonly notes: readonly string[];
}

/** Rampart's production shutdown: 5 s for load balancers to see readiness fail, then 25 s to drain. */
export const DEFAULT_SHUTDOWN_DELAY_SECONDS = 5;
export const DEFAULT_DRAIN_SECONDS = 25;
/** Headroom over Rampart's own deadline before systemd sends SIGKILL: close hooks (5 s each), flushing logs. */
export const STOP_MARGIN_SECONDS = 10;
const UNIT_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const UNSAFE = /["'\\%$\p{Cc}]/u;

/**
 * A systemd service unit with the sandboxing systemd offers (read-only system,
 * no home directories, private /tmp and devices, no capabilities, a system-call
 * allow-list), secrets as credentials rather than environment variables, and a
 * stop timeout above Rampart's shutdown deadline so a drain is never cut short.
 *
 * @example
 * const { files } = renderSystemdUnits({ name: 'notes', template: true, after: ['postgresql.service'] });
 */
export function renderSystemdUnits(options: SystemdOptions): SystemdUnits {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object', options);
  const name = check('name', options.name, UNIT_NAME, 'a unit name ([a-z][a-z0-9_-]*)');
  const user = check('user', options.user ?? name, UNIT_NAME, 'a user name');
  const workingDirectory = path('workingDirectory', options.workingDirectory ?? `/opt/${name}`);
  const execStart = command('execStart', options.execStart ?? '/usr/bin/node dist/main.js');
  const environmentFile = path('environmentFile', options.environmentFile ?? `/etc/${name}/${name}.env`);
  const credentialsDirectory = path('credentialsDirectory', options.credentialsDirectory ?? `/etc/${name}/credentials`);
  const credentials = (options.credentials ?? ['SECRET_KEY']).map((credential, i) => check(`credentials[${i}]`, credential, ENV_NAME, 'an environment variable name'));
  const dataDirectory = path('dataDirectory', options.dataDirectory ?? `/var/lib/${name}`);
  const host = text('host', options.host ?? '127.0.0.1');
  const port = options.template === true ? undefined : integer('port', options.port ?? 3000, 1, 65535);
  const delay = integer('shutdownDelaySeconds', options.shutdownDelaySeconds ?? DEFAULT_SHUTDOWN_DELAY_SECONDS, 0, 600);
  const drain = integer('drainSeconds', options.drainSeconds ?? DEFAULT_DRAIN_SECONDS, 1, 3600);
  const after = (options.after ?? []).map((unit, i) => check(`after[${i}]`, unit, /^[A-Za-z0-9@._-]+\.(service|target|socket|mount)$/, 'a unit such as postgresql.service'));
  const notes: string[] = [];
  const stateDirectory = dataDirectory.startsWith('/var/lib/') ? dataDirectory.slice('/var/lib/'.length) : undefined;
  if (stateDirectory === undefined) notes.push(`${dataDirectory} is outside /var/lib: create it, owned by ${user}, before the first start.`);
  const privileged = port !== undefined && port < 1024;

  const unit = [
    '# Generated by `rampart deploy systemd`.',
    `# Check with: systemd-analyze verify ${options.template === true ? `${name}@.service` : `${name}.service`}; systemd-analyze security <unit>`,
    '[Unit]',
    `Description=${text('description', options.description ?? `${name} (Rampart-hardened HTTP service)`)}${options.template === true ? ' on port %i' : ''}`,
    'Wants=network-online.target',
    `After=network-online.target${after.map((unit) => ` ${unit}`).join('')}`,
    // Five crashes in a minute means a deploy is broken: stop restarting and let the alert fire.
    'StartLimitIntervalSec=60',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `User=${user}`,
    `Group=${user}`,
    `WorkingDirectory=${workingDirectory}`,
    `ExecStart=${execStart}`,
    'Environment=NODE_ENV=production',
    'Environment=APP_ENV=production',
    `Environment=HOST=${host}`,
    `Environment=PORT=${port ?? '%i'}`,
    `EnvironmentFile=${environmentFile}`,
    ...credentials.flatMap((credential) => [
      `LoadCredential=${credential}:${credentialsDirectory}/${credential}`,
      // %d is the unit's credentials directory (/run/credentials/<unit>), readable only by the service.
      `Environment=${credential}_FILE=%d/${credential}`,
    ]),
    'Restart=on-failure',
    'RestartSec=2s',
    // Rampart stops on SIGTERM: readiness fails, it waits the shutdown delay, then drains.
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `TimeoutStopSec=${delay + drain + STOP_MARGIN_SECONDS}s`,
    'LimitNOFILE=65536',
    '',
    '# Sandboxing (systemd.exec(5)); `systemd-analyze security` scores what is left.',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    ...(stateDirectory === undefined ? [] : [`StateDirectory=${stateDirectory}`, 'StateDirectoryMode=0700']),
    `ReadWritePaths=${dataDirectory}`,
    'UMask=0077',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'ProtectProc=invisible',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'RemoveIPC=yes',
    '# MemoryDenyWriteExecute is deliberately absent: V8 compiles JavaScript into writable, executable memory.',
    // AF_NETLINK: os.networkInterfaces(), which frameworks call when listening on 0.0.0.0.
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    'SystemCallFilter=~@privileged @resources',
    // A refused call fails with EPERM instead of killing the process (Node tries setrlimit at startup).
    'SystemCallErrorNumber=EPERM',
    ...(privileged
      ? ['# The port is below 1024: this one capability, nothing else.', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE', 'AmbientCapabilities=CAP_NET_BIND_SERVICE']
      : ['CapabilityBoundingSet=', 'AmbientCapabilities=']),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');

  const unitName = options.template === true ? `${name}@.service` : `${name}.service`;
  const files = [{ name: unitName, text: unit }];
  if (options.backup !== undefined) files.push(...backupUnits(name, user, workingDirectory, environmentFile, credentials, credentialsDirectory, options.backup));
  return { files, notes };
}

function backupUnits(
  name: string,
  user: string,
  workingDirectory: string,
  environmentFile: string,
  credentials: readonly string[],
  credentialsDirectory: string,
  backup: BackupTimerOptions,
): { name: string; text: string }[] {
  const source = backup.source === undefined || backup.source === '' ? '' : ` ${text('backup.source', backup.source)}`;
  const directory = path('backup.directory', backup.directory ?? `/var/backups/${name}`);
  const schedule = text('backup.schedule', backup.schedule ?? 'daily');
  const keepDays = integer('backup.keepDays', backup.keepDays ?? 14, 0, 36_500);
  const keepLast = integer('backup.keepLast', backup.keepLast ?? 7, 1, 100_000);
  const rampart = command('backup.rampart', backup.rampart ?? '/usr/bin/node node_modules/.bin/rampart');
  const service = [
    '# Generated by `rampart deploy systemd --backup`: back up, prove the backup restores, then prune.',
    '[Unit]',
    `Description=${name} backup`,
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `User=${user}`,
    `Group=${user}`,
    `WorkingDirectory=${workingDirectory}`,
    `EnvironmentFile=${environmentFile}`,
    ...credentials.flatMap((credential) => [`LoadCredential=${credential}:${credentialsDirectory}/${credential}`, `Environment=${credential}_FILE=%d/${credential}`]),
    `ExecStart=${rampart} backup create${source} --dir ${directory} --verify`,
    `ExecStart=${rampart} backup prune --dir ${directory} --keep-days ${keepDays} --keep-last ${keepLast}`,
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    `ReadWritePaths=${directory}`,
    'UMask=0077',
    'CapabilityBoundingSet=',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    `Description=${name} backup schedule`,
    '',
    '[Timer]',
    `OnCalendar=${schedule}`,
    // A backup missed while the machine was off runs at the next boot.
    'Persistent=true',
    'RandomizedDelaySec=15m',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return [
    { name: `${name}-backup.service`, text: service },
    { name: `${name}-backup.timer`, text: timer },
  ];
}

function text(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || UNSAFE.test(value)) throw invalidOption(option, 'text without quotes, "%", "$", "\\" or line breaks', value);
  return value;
}

function check(option: string, value: unknown, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw invalidOption(option, expected, value);
  return value;
}

function path(option: string, value: unknown): string {
  const result = text(option, value);
  if (!isAbsolute(result) || /\s/.test(result)) throw invalidOption(option, 'an absolute path without spaces', value);
  return result;
}

function command(option: string, value: unknown): string {
  const result = text(option, value);
  if (!isAbsolute(result.split(/\s+/)[0] as string)) throw invalidOption(option, 'a command line starting with an absolute executable path', value);
  return result;
}

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalidOption(option, `an integer from ${min} to ${max}`, value);
  return value;
}
