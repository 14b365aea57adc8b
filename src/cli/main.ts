import { commandNames, loadCommand } from './commands.js';

/** Loads every command for its summary: only when usage is printed. */
async function usage(): Promise<string> {
  const lines = await Promise.all(commandNames().map(async (name) => `  ${name.padEnd(8)} ${(await loadCommand(name))?.summary ?? ''}`));
  return `Usage: rampart <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "rampart <command> --help" for a command's options.`;
}

/** Entry point of the `rampart` CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await usage()}\n`);
    return name === undefined ? 64 : 0;
  }
  const command = await loadCommand(name);
  if (command === undefined) {
    process.stderr.write(`rampart: unknown command "${name}"\n\n${await usage()}\n`);
    return 64; // EX_USAGE
  }
  return command.run(rest);
}

// Run directly (`npm run rampart -- …`); bin/rampart.js imports main() instead.
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`rampart: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 70; // EX_SOFTWARE
    },
  );
}
