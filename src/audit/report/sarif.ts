import { CHECKS, CHECK_IDS } from '../catalog.js';
import type { AuditReport, Finding, Severity } from '../types.js';

/**
 * SARIF 2.1.0 (OASIS), the format code-scanning UIs import. One rule per
 * check; one result per failed, warned or advisory finding. The target is a
 * URL, not a file, so each result's location is the URL probed and the
 * request/response pair goes in SARIF's `webRequest`/`webResponse` objects
 * (§3.46, §3.47).
 */

const LEVEL: Record<'fail' | 'warn' | 'info', 'error' | 'warning' | 'note'> = { fail: 'error', warn: 'warning', info: 'note' };
/** GitHub ranks alerts by `security-severity` (0–10): ZAP's risk mapped onto CVSS bands. */
const SECURITY_SEVERITY: Record<Severity, string> = { high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

export function toSarif(report: AuditReport): object {
  const rules = CHECK_IDS.map((id) => {
    const check = CHECKS.get(id);
    if (check === undefined) throw new Error(`unknown check ${id}`);
    return {
      id,
      name: check.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase()),
      shortDescription: { text: check.title },
      fullDescription: { text: check.fix },
      help: { text: check.fix, markdown: `${check.fix}\n\n${check.references.map((url) => `- <${url}>`).join('\n')}` },
      helpUri: check.references[0],
      defaultConfiguration: { level: check.severity === 'info' ? 'note' : check.severity === 'low' ? 'warning' : 'error' },
      properties: {
        tags: ['security', check.category, ...check.zap.map((zap) => `zap-${zap}`)],
        'security-severity': SECURITY_SEVERITY[check.severity],
        precision: 'high',
      },
    };
  });
  const results = report.findings.filter((item): item is Finding & { outcome: 'fail' | 'warn' | 'info' } => item.outcome === 'fail' || item.outcome === 'warn' || item.outcome === 'info').map((item) => {
    const proof = item.evidence[0];
    const [method, path] = (proof?.request ?? `GET ${new URL(report.target).pathname}`).split(' ');
    const uri = new URL(path ?? '/', report.target).href;
    return {
      ruleId: item.id,
      ruleIndex: CHECK_IDS.indexOf(item.id as (typeof CHECK_IDS)[number]),
      level: LEVEL[item.outcome],
      message: { text: `${item.summary}${item.fix === undefined ? '' : ` Fix: ${item.fix}`}` },
      locations: [{ physicalLocation: { artifactLocation: { uri } } }],
      partialFingerprints: { 'rampartAudit/v1': `${item.id}:${item.result}:${new URL(report.target).host}` },
      ...(proof === undefined ? {} : { webRequest: { method, target: uri }, ...(proof.status === undefined ? {} : { webResponse: { statusCode: proof.status } }) }),
      properties: { result: item.result, severity: item.severity, zap: item.zap, evidence: item.evidence, ...(item.needsTls === true ? { needsTls: true } : {}) },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'rampart-audit', semanticVersion: report.tool.version, informationUri: 'https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring', rules } },
        invocations: [{ executionSuccessful: true, startTimeUtc: report.startedAt, exitCode: report.exitCode }],
        results,
        properties: { target: report.target, score: report.observatory.score, grade: report.observatory.grade, requestsSent: report.requestsSent },
      },
    ],
  };
}
