/** A CLI command: one module per command under src/cli/, loaded only when run. */
export interface Command {
  /** One line for the usage list. */
  readonly summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

const COMMANDS: Readonly<Record<string, () => Promise<{ command: Command }>>> = {
  // Each entry: name → lazy import of src/cli/<name>.ts exporting `command`.
  audit: () => import('./audit.js'),
  backup: () => import('./backup.js'),
  deploy: () => import('./deploy.js'),
  check: () => import('./check.js'),
  secret: () => import('./secret.js'),
};

export function commandNames(): string[] {
  return Object.keys(COMMANDS).sort();
}

export async function loadCommand(name: string): Promise<Command | undefined> {
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return load === undefined ? undefined : (await load()).command;
}
