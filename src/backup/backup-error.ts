/** Why a backup command failed; the CLI prints `message`, which always says what to do. */
export type BackupFailure =
  | 'tool-missing'
  | 'tool-too-old'
  | 'driver-missing'
  | 'unreachable'
  | 'dump-failed'
  | 'restore-failed'
  | 'corrupt'
  | 'mismatch'
  | 'not-found'
  | 'invalid';

/** A backup, verify or prune failure with a message an operator can act on. Never carries a password. */
export class BackupError extends Error {
  readonly reason: BackupFailure;

  constructor(reason: BackupFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
    this.reason = reason;
  }
}

/** Progress of a long step, for a terminal or a log: `done` of `total` units of `unit`. */
export interface BackupProgress {
  readonly phase: 'count' | 'dump' | 'copy' | 'restore';
  readonly done: number;
  readonly total: number;
  readonly unit: 'tables' | 'pages';
  /** The table being worked on, when there is one. */
  readonly detail?: string;
}

export type ProgressListener = (progress: BackupProgress) => void;
