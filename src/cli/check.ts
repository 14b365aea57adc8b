import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  PROFILES,
  defineConfig,
  formatStartupReport,
  isConfigDefinition,
  runStartup,
  startupReportJson,
  type ChecksFactory,
  type ConfigDefinition,
  type LoadOptions,
  type Profile,
  type SettingSummary,
} from '../index.js';
import type { Command } from './commands.js';

const USAGE = `Usage: rampart check [--config MODULE] [--env-file FILE]... [--profile PROFILE] [options]

Validates the configuration the service would load, without starting it, and
prints the startup report. Every problem is listed with its remedy; secret
values never are.

  --config MODULE     a module exporting a defineConfig() definition (default export,
                      or "config"); default: Rampart's own settings only
  --env-file FILE     read FILE instead of .env and .env.<profile> (repeat: later files win)
  --profile PROFILE   check as ${PROFILES.join(', ')}, whatever APP_ENV says
  --ignore-env        ignore this shell's environment: check the files alone
  --checks            also run the dependency checks MODULE exports as checks(config)
  --settings          list every setting with its source (secrets redacted)
  --cwd DIR           run as if started in DIR: .env files and relative paths (default: here)
  --json              print the report as JSON

Exit status: 0 valid, 78 configuration problems, 69 a dependency unavailable
(with --checks), 64 bad usage, 66 module not found.

In a deploy pipeline:
  rampart check --config dist/config.js --env-file deploy/production.env --profile production --ignore-env`;

interface Values {
  config?: string;
  'env-file'?: string[];
  profile?: string;
  'ignore-env'?: boolean;
  checks?: boolean;
  settings?: boolean;
  cwd?: string;
  json?: boolean;
  help?: boolean;
}

export const command: Command = {
  summary: 'Validate a configuration (and optionally its dependencies) without starting the service',
  async run(argv) {
    let values: Values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          config: { type: 'string' },
          'env-file': { type: 'string', multiple: true },
          profile: { type: 'string' },
          'ignore-env': { type: 'boolean' },
          checks: { type: 'boolean' },
          settings: { type: 'boolean' },
          cwd: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      return usage(error instanceof Error ? error.message : String(error));
    }
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.profile !== undefined && !(PROFILES as readonly string[]).includes(values.profile)) return usage(`--profile must be one of ${PROFILES.join(', ')}`);

    const cwd = resolve(values.cwd ?? process.cwd());
    let definition: ConfigDefinition<unknown> = defineConfig() as ConfigDefinition<unknown>;
    let checks: ChecksFactory<unknown> | undefined;
    if (values.config !== undefined) {
      const loaded = await loadModule(resolve(cwd, values.config));
      if (typeof loaded === 'number') return loaded;
      definition = loaded.definition;
      checks = loaded.checks;
    }
    if (values.checks === true && checks === undefined) return usage('--checks needs --config MODULE exporting checks(config)');

    const options: LoadOptions & { checks?: ChecksFactory<unknown> } = {
      cwd,
      env: values['ignore-env'] === true ? {} : process.env,
      ...(values['env-file'] === undefined ? {} : { envFiles: values['env-file'] }),
      ...(values.profile === undefined ? {} : { profile: values.profile as Profile }),
      ...(values.checks === true && checks !== undefined ? { checks } : {}),
    };
    const report = await runStartup(definition, options);

    if (values.json === true) {
      process.stdout.write(`${JSON.stringify(startupReportJson(report), null, 2)}\n`);
    } else {
      const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
      const name = values.config === undefined ? 'configuration' : basename(values.config).replace(/\.[cm]?[jt]s$/, '');
      process.stdout.write(formatStartupReport(report, { name, color }));
      if (values.settings === true) process.stdout.write(settingsTable(report.settings));
    }
    return report.exitCode;
  },
};

interface LoadedModule {
  definition: ConfigDefinition<unknown>;
  checks: ChecksFactory<unknown> | undefined;
}

async function loadModule(path: string): Promise<LoadedModule | number> {
  if (!existsSync(path)) {
    process.stderr.write(`rampart check: no such module: ${path}\n`);
    return 66; // EX_NOINPUT
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const hint = path.endsWith('.ts') ? ' (a .ts module needs a TypeScript loader: run through "npm run rampart" or point at the built .js)' : '';
    process.stderr.write(`rampart check: cannot load ${path}${hint}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 70; // EX_SOFTWARE
  }
  const definition = [module['default'], module['config'], ...Object.values(module)].find(isConfigDefinition);
  if (definition === undefined) return usage(`${path} exports no defineConfig() definition (export it as default or as "config")`);
  const checks = typeof module['checks'] === 'function' ? (module['checks'] as ChecksFactory<unknown>) : undefined;
  return { definition, checks };
}

function settingsTable(settings: readonly SettingSummary[]): string {
  const width = Math.max(...settings.map((setting) => setting.key.length));
  const lines = settings.map((setting) => `    ${setting.key.padEnd(width)}  ${setting.value === undefined ? '-' : setting.value}  (${setting.source})`);
  return `\n  Settings\n${lines.join('\n')}\n`;
}

function usage(message: string): number {
  process.stderr.write(`rampart check: ${message}\n\n${USAGE}\n`);
  return 64; // EX_USAGE
}
