import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Level, type Logger, type LoggerOptions } from 'pino';
import { invalidOption } from '../errors/option-error.js';
import { LineBatcher } from './line-batcher.js';
import { redactSensitive, sensitiveKeyPredicate } from './redact.js';

export type LogFormat = 'json' | 'pretty';

export interface LogOptions {
  /** Default `info` (`debug` in development, `warn` in test). */
  level?: Level | 'silent';
  /** Default `json`; `pretty` (pino-pretty) in development. */
  format?: LogFormat;
  /**
   * Append logs to this file instead of stdout. After logrotate moves it,
   * call `rampart.reopenLogs()` (from a `SIGHUP` handler, say): lines logged
   * meanwhile wait and go to the new file.
   */
  file?: string;
  /** Write to this stream instead (tests, custom transports). Wins over `file`. */
  destination?: DestinationStream;
  /** More key names to redact, besides the built-in password/token/secret/cookie family. */
  redact?: readonly string[];
  /** Exact paths with no access-log line. Default: the health probes and `/metrics`. */
  skipPaths?: readonly string[];
  /** Level of the access line for 4xx responses. Default `warn`. */
  clientErrorLevel?: 'warn' | 'info';
  /** Successful requests slower than this (ms) are logged at `warn`. Default 1000. */
  slowMs?: number;
}

/** The two loggers Rampart writes through, sharing one destination. */
export interface RampartLoggers {
  /** For the application (`log()` in a request, `rampart.logger` elsewhere): redacts sensitive keys at any depth. */
  readonly logger: Logger;
  /** For the access line, whose fields Rampart builds itself and so needs no redaction pass. */
  readonly access: Logger;
  /** Writes out buffered lines; called on shutdown. */
  flush(): void;
  /**
   * Writes out buffered lines once the log file is open (it opens
   * asynchronously), so they are on disk when this resolves: a process
   * that exits right after `close()` keeps them.
   */
  flushOnClose(): Promise<void>;
  /** Reopens the log file after rotation; a no-op for other destinations. */
  reopen(): void;
  /** The destination both loggers write to (the security log shares it unless it has its own file). */
  readonly stream: DestinationStream;
  /** Lines the destination failed to write or dropped (disk full, closed pipe), counted instead of crashing. */
  writeErrors(): number;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function createLoggers(options: LogOptions, defaults: { level: Level | 'silent'; format: LogFormat }): RampartLoggers {
  const level = options.level ?? defaults.level;
  if (!LEVELS.has(level)) throw invalidOption('log.level', [...LEVELS].join(', '), level);
  const format = options.format ?? defaults.format;
  if (format !== 'json' && format !== 'pretty') throw invalidOption('log.format', '"json" or "pretty"', format);

  const { stream, flush, flushOnClose, reopen, writeErrors } = destinationFor(options, format);
  const isSensitive = sensitiveKeyPredicate(options.redact);
  const common: LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Labels, not numbers: what people grep for and what log UIs show.
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.errWithCause },
  };
  const logger = pino(
    {
      ...common,
      formatters: { ...common.formatters, log: (object) => redactSensitive(object, isSensitive) as Record<string, unknown> },
    },
    stream,
  );
  const access = pino(common, stream);
  return { logger, access, flush, flushOnClose, reopen, writeErrors, stream };
}

interface Destination {
  stream: DestinationStream;
  flush(): void;
  flushOnClose(): Promise<void>;
  reopen(): void;
  writeErrors(): number;
}

/** Bounds what is buffered while the destination cannot be written (disk full), instead of growing until OOM. */
const MAX_BUFFERED_LOG_BYTES = 16 * 1024 * 1024;
const noErrors = (): number => 0;
/** The longest a close waits for the log file's first open. */
const LOG_OPEN_WAIT_MS = 2000;
const settled = (): Promise<void> => Promise.resolve();

function destinationFor(options: LogOptions, format: LogFormat): Destination {
  if (options.destination !== undefined) {
    return { stream: options.destination, flush: () => undefined, flushOnClose: settled, reopen: () => undefined, writeErrors: noErrors };
  }
  if (format === 'pretty') {
    // Loaded only when used: pino-pretty is for humans in development.
    const require = createRequire(import.meta.url);
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    return { stream: pretty({ sync: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }), flush: () => undefined, flushOnClose: settled, reopen: () => undefined, writeErrors: noErrors };
  }
  // Asynchronous writes keep logging off the request's critical path;
  // flushSync() on shutdown writes out what is buffered. No `minLength`: a
  // quiet service's lines would sit in memory until 4 KiB piled up. Under
  // load, lines still go out in large writes: the batcher hands over up to
  // 20 ms of lines at once.
  const boom = pino.destination({ dest: options.file ?? 1, sync: false, maxLength: MAX_BUFFERED_LOG_BYTES, mkdir: true });
  // A failed write (ENOSPC, EPIPE) is emitted as 'error', which would crash
  // the process with no listener: count it (rampart_log_write_errors_total)
  // and say so once on stderr. Lines past the buffer bound are 'drop'ped.
  let errors = 0;
  const onWriteError = (error: unknown): void => {
    if (errors++ > 0) return;
    process.stderr.write(`rampart: log destination write failed (${(error as { code?: string } | undefined)?.code ?? 'error'}); counting further failures in rampart_log_write_errors_total\n`);
    // Flushing a failed destination retries forever, and pino flushes on
    // 'beforeExit'/'exit': without this the process could never exit. Later
    // writes are still attempted, so logging resumes once space is freed.
    Object.assign(boom, { flush: (callback?: (error?: Error) => void) => callback?.(), flushSync: () => undefined });
  };
  boom.on('error', onWriteError);
  boom.on('drop', () => onWriteError({ code: 'buffer full' }));
  const batcher = new LineBatcher(boom);
  // sonic-boom opens the new file asynchronously (after any write in flight)
  // and says 'ready' once its descriptor is the new file's; until then every
  // line waits in the batcher, or it would land in the file rotated away.
  let reopening = false;
  // Until the file's first open completes, flushSync() cannot write: a close
  // before then hands the lines to sonic-boom (which holds them while it
  // opens) and writes them inside 'ready', before sonic-boom starts an
  // asynchronous write that an exit right after close could cut short.
  let opening = options.file !== undefined;
  const whenOpen: (() => void)[] = [];
  const firstOpenDone = (): void => {
    boom.off('ready', firstOpenDone);
    boom.off('error', firstOpenDone);
    opening = false;
    for (const run of whenOpen.splice(0)) run();
  };
  if (opening) {
    boom.on('ready', firstOpenDone);
    boom.on('error', firstOpenDone);
  }
  const reopened = (): void => {
    boom.off('ready', reopened);
    boom.off('error', reopened);
    reopening = false;
    batcher.release();
  };
  const flush = (): void => {
    batcher.flush();
    // sonic-boom's flushSync retries a failing write forever (ENOSPC
    // included): once the destination has failed, a flush at shutdown
    // would hang the exit, so what is buffered is given up instead.
    if (errors > 0 || reopening) return;
    try {
      boom.flushSync();
    } catch {
      // Nothing buffered yet, or the destination is already closed.
    }
  };
  return {
    writeErrors: () => errors,
    stream: batcher,
    flush,
    flushOnClose: () => {
      if (!opening) {
        flush();
        return Promise.resolve();
      }
      batcher.flush();
      return new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          resolve(flush());
        };
        // A file that never opens (a hung network mount) must not hang shutdown: its lines are given up.
        const timer = setTimeout(() => {
          whenOpen.splice(whenOpen.indexOf(done), 1);
          done();
        }, LOG_OPEN_WAIT_MS);
        whenOpen.push(done);
      });
    },
    reopen: () => {
      batcher.flush();
      if (options.file === undefined) return; // stdout: nothing to reopen
      if (!reopening) {
        reopening = true;
        batcher.hold();
        boom.once('ready', reopened);
        boom.once('error', reopened);
      }
      try {
        boom.reopen();
      } catch (error) {
        reopened(); // it will not say 'ready': nothing may stay held
        throw error;
      }
    },
  };
}
