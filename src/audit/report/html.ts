import type { AuditReport, Finding, Outcome } from '../types.js';

/**
 * A self-contained HTML report: one file, inline CSS, no script, no fetch
 * of anything, so it can be archived as a CI artifact and opened anywhere.
 * Every value from the target is escaped.
 */

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
/** Escaped prose whose `code spans` (the catalog's own text) render as code. */
const prose = (text: string): string => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const GROUPS: readonly (readonly [Outcome, string])[] = [
  ['fail', 'Failed'],
  ['warn', 'Warnings'],
  ['info', 'Advice'],
];

const CSS = `
:root{--fail:#b3261e;--warn:#9a6700;--info:#0b6bcb;--pass:#1a7f37;--muted:#5f6368;--line:#e3e3e3;--bg:#fafafa}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f1f1f;background:var(--bg)}
main{max-width:1040px;margin:0 auto;padding:32px 24px 64px}
header{display:flex;gap:28px;align-items:center;background:#fff;border:1px solid var(--line);border-radius:12px;padding:24px}
.grade{font-size:56px;font-weight:700;width:120px;height:120px;border-radius:16px;display:flex;align-items:center;justify-content:center;color:#fff;flex:none}
.g-A{background:var(--pass)}.g-B{background:#5a8f00}.g-C{background:var(--warn)}.g-D,.g-F{background:var(--fail)}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 12px}.muted{color:var(--muted)}code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
.counts{display:flex;gap:10px;flex-wrap:wrap;margin-top:10px}.pill{border-radius:999px;padding:2px 10px;font-size:13px;border:1px solid var(--line);background:#fff}
.pill.fail{color:var(--fail);border-color:var(--fail)}.pill.warn{color:var(--warn);border-color:var(--warn)}.pill.info{color:var(--info);border-color:var(--info)}.pill.pass{color:var(--pass);border-color:var(--pass)}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:8px;overflow:hidden}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#f3f3f3;font-weight:600;font-size:13px}
td.mod{font-variant-numeric:tabular-nums;text-align:right;width:56px;font-weight:600}.pos{color:var(--pass)}.neg{color:var(--fail)}
.card{background:#fff;border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:8px;padding:14px 16px;margin:10px 0}
.card.fail{border-left-color:var(--fail)}.card.warn{border-left-color:var(--warn)}.card.info{border-left-color:var(--info)}
.card h3{font-size:15px;margin:0 0 4px}.tag{font-size:12px;color:var(--muted);margin-left:8px}.fix{margin:8px 0 0;padding:8px 10px;background:#f1f8f3;border-radius:6px}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;border-radius:6px;padding:8px 10px;margin:8px 0 0}
ul.ids{columns:3;padding-left:18px}.tls{background:#fff8e1;border:1px solid #f2d48a;border-radius:8px;padding:12px 16px}
`;

function card(item: Finding): string {
  const evidence = item.evidence
    .map((proof) => `${proof.request}${proof.status === undefined ? '' : ` → ${proof.status}`}${proof.detail === undefined ? '' : `\n${proof.detail}`}`)
    .join('\n\n');
  const zap = item.zap.length === 0 ? '' : ` · ZAP ${item.zap.join(', ')}`;
  return `<article class="card ${item.outcome}" id="check-${escapeHtml(item.id)}">
<h3>${escapeHtml(item.title)} <code class="tag">${escapeHtml(item.id)}</code><span class="tag">${escapeHtml(item.severity)} · ${escapeHtml(item.result)}${zap}${item.configured === undefined ? '' : ` · configured ${item.configured}`}</span></h3>
<div>${escapeHtml(item.summary)}</div>
${evidence === '' ? '' : `<pre>${escapeHtml(evidence)}</pre>`}
${item.fix === undefined ? '' : `<p class="fix"><strong>Fix:</strong> ${prose(item.fix)}</p>`}
${item.needsTls === true ? '<div class="muted">Needs TLS: cannot pass over plain HTTP.</div>' : ''}
</article>`;
}

export function toHtml(report: AuditReport): string {
  const o = report.observatory;
  const s = report.summary;
  const verdict = report.exitCode === 0 ? 'Pass' : report.exitCode === 2 ? 'Pass with warnings' : 'Fail';
  const rows = o.tests
    .map((test) => {
      const sign = test.modifier > 0 ? 'pos' : test.modifier < 0 ? 'neg' : '';
      return `<tr><td class="mod ${sign}">${test.modifier > 0 ? '+' : ''}${test.modifier}</td><td>${escapeHtml(test.test)}</td><td><code>${escapeHtml(test.result)}</code>${test.needsTls === true ? ' <span class="muted">(needs TLS)</span>' : ''}<div class="muted">${escapeHtml(test.description)}</div></td></tr>`;
    })
    .join('\n');
  const sections = GROUPS.map(([outcome, heading]) => {
    const items = report.findings.filter((item) => item.outcome === outcome);
    return items.length === 0 ? '' : `<h2>${heading} (${items.length})</h2>\n${items.map(card).join('\n')}`;
  }).join('\n');
  const list = (outcome: Outcome, heading: string): string => {
    const items = report.findings.filter((item) => item.outcome === outcome);
    if (items.length === 0) return '';
    return `<h2>${heading} (${items.length})</h2><ul class="ids">${items.map((item) => `<li title="${escapeHtml(item.summary)}"><code>${escapeHtml(item.id)}</code> <span class="muted">${escapeHtml(outcome === 'pass' ? item.title : item.summary)}</span></li>`).join('')}</ul>`;
  };
  const tls =
    report.needsTls.length === 0 && o.withTls === undefined
      ? ''
      : `<h2>Over plain HTTP</h2><div class="tls">These checks need TLS and cannot pass until the service answers over HTTPS: <code>${escapeHtml(report.needsTls.join(', ') || 'none')}</code>.${
          o.withTls === undefined ? '' : ` Served over HTTPS with a redirect and HSTS, the same headers would score <strong>${o.withTls.score} (${o.withTls.grade})</strong>.`
        }</div>`;
  const plan = report.plan.map((probe) => `<tr><td><code>${escapeHtml(probe.method)}</code></td><td><code>${escapeHtml(probe.path)}</code></td><td>${escapeHtml(probe.why)}</td><td class="mod">${probe.maxRequests}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>rampart audit: ${escapeHtml(o.grade)} · ${escapeHtml(report.target)}</title><style>${CSS}</style></head>
<body><main>
<header><div class="grade g-${escapeHtml(o.grade.charAt(0))}" aria-label="grade">${escapeHtml(o.grade)}</div>
<div><h1>${escapeHtml(report.target)}</h1>
<div>Score <strong>${o.score}</strong> on the MDN HTTP Observatory rubric · <strong>${verdict}</strong> (exit ${report.exitCode})${report.failUnder === undefined ? '' : ` · fail under ${escapeHtml(report.failUnder)}`}</div>
<div class="muted">${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)} · ${escapeHtml(report.startedAt)} · ${report.requestsSent} requests in ${(report.durationMs / 1000).toFixed(1)} s</div>
<div class="counts"><span class="pill fail">${s.fail} failed</span><span class="pill warn">${s.warn} warnings</span><span class="pill info">${s.info} advice</span><span class="pill pass">${s.pass} passed</span><span class="pill">${s.skip} skipped</span>${s.ignored > 0 ? `<span class="pill">${s.ignored} ignored</span>` : ''}</div></div></header>
${sections}
${tls}
<h2>Observatory score</h2>
<p class="muted">Start at 100; penalties first (${o.penaltyScore - 100} here); bonuses only when the penalty-only score is at least 90 (${o.bonusesApplied ? 'applied' : 'not applied'}).</p>
<table><thead><tr><th>Points</th><th>Test</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table>
${list('pass', 'Passed')}
${list('skip', 'Skipped')}
${list('ignored', 'Ignored by configuration')}
<h2>What was sent</h2>
<table><thead><tr><th>Method</th><th>Path</th><th>Why</th><th>At most</th></tr></thead><tbody>${plan}</tbody></table>
</main></body></html>
`;
}
