import type { AuditReport } from '../types.js';

/** Bumped when a field changes meaning or disappears; new fields do not bump it. */
export const REPORT_VERSION = 1;

/** The report as stable JSON: `{ reportVersion, ...report }`, two-space indented. */
export function toJson(report: AuditReport): string {
  return `${JSON.stringify({ reportVersion: REPORT_VERSION, ...report }, null, 2)}\n`;
}
