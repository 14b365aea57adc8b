import { commandNames, loadCommand } from './commands.js';

const USAGE = `Usage: rampart <command> [options]

Commands:
${commandNames()
  .map((name) => `  ${name}`)
  .join('\n')}

Run "rampart <command> --help" for a command's options.`;

/** Entry point of the `rampart` CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 64 : 0;
  }
  const command = await loadCommand(name);
  if (command === undefined) {
    process.stderr.write(`rampart: unknown command "${name}"\n\n${USAGE}\n`);
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
