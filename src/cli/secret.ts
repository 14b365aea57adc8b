import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { MIN_SECRET_KEY_LENGTH } from '../index.js';
import type { Command } from './commands.js';

const USAGE = `Usage: rampart secret [--bytes 32] [--format base64url|hex|base64] [--name SECRET_KEY]

Prints a secret made of cryptographically secure random bytes (node:crypto randomBytes).
  --bytes N     random bytes, 16 to 1024 (default 32: 256 bits)
  --format F    base64url (default, 43 characters for 32 bytes), hex or base64
  --name NAME   print NAME=<secret>, ready for an env file

Examples:
  rampart secret > /run/secrets/secret_key          # then SECRET_KEY_FILE=/run/secrets/secret_key
  rampart secret --name SECRET_KEY >> .env.production`;

const FORMATS = ['base64url', 'hex', 'base64'] as const;
type Format = (typeof FORMATS)[number];

/** 128 bits: below that a secret is guessable offline; above 1 KiB nothing gains. */
const MIN_BYTES = 16;
const MAX_BYTES = 1024;

export const command: Command = {
  summary: 'Generate a cryptographically secure secret (for SECRET_KEY, tokens)',
  async run(argv) {
    let values: { bytes?: string; format?: string; name?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: { bytes: { type: 'string' }, format: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
    const bytes = values.bytes === undefined ? 32 : Number(values.bytes);
    if (!Number.isInteger(bytes) || bytes < MIN_BYTES || bytes > MAX_BYTES) return usage(`--bytes must be a whole number from ${MIN_BYTES} to ${MAX_BYTES}`);
    const format = (values.format ?? 'base64url') as Format;
    if (!FORMATS.includes(format)) return usage(`--format must be one of ${FORMATS.join(', ')}`);
    if (values.name !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(values.name)) return usage('--name must be a variable name');

    const secret = generate(bytes, format);
    process.stdout.write(values.name === undefined ? `${secret}\n` : `${values.name}=${secret}\n`);
    if (secret.length < MIN_SECRET_KEY_LENGTH) {
      process.stderr.write(`rampart secret: note: ${secret.length} characters is shorter than the ${MIN_SECRET_KEY_LENGTH} SECRET_KEY needs in production\n`);
    }
    return 0;
  },
};

/**
 * Random bytes in the format. A value starting with `-` is drawn again: a
 * shell or a CLI would read it as an option (1 in 64 base64url values; the
 * entropy lost is under 0.03 bits).
 */
function generate(bytes: number, format: Format): string {
  for (;;) {
    const secret = randomBytes(bytes).toString(format);
    if (!secret.startsWith('-')) return secret;
  }
}

function usage(message: string): number {
  process.stderr.write(`rampart secret: ${message}\n\n${USAGE}\n`);
  return 64; // EX_USAGE
}
