import { mkdirSync, writeFileSync } from 'node:fs';

/** What one reliability scenario measured, for docs/RELIABILITY.md. */
export interface ScenarioFigures {
  /** Section heading, e.g. "Redis stopped and restarted under load". */
  readonly title: string;
  /** Group: scale-out, faults, floods, hostile input, leaks, soak. */
  readonly group: string;
  /** The command that reproduces it. */
  readonly command: string;
  /** What was asserted, in one or two sentences. */
  readonly claim: string;
  /** Measured values, label → value with its unit ("requests sent" → 4200, "max latency during fault" → "812 ms"). */
  readonly figures: Readonly<Record<string, string | number>>;
}

export const FIGURES_DIR = new URL('../../test-artifacts/reliability/', import.meta.url).pathname;

/**
 * Records a scenario's figures as `test-artifacts/reliability/<id>.json`;
 * `npm run reliability:report` turns them into docs/RELIABILITY.md, so the
 * page is regenerated from runs, never typed by hand. Call it only after the
 * scenario's assertions passed.
 */
export function recordFigures(id: string, figures: ScenarioFigures): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(`${FIGURES_DIR}${id}.json`, `${JSON.stringify({ id, recordedAt: new Date().toISOString(), node: process.version, ...figures }, null, 2)}\n`);
}
