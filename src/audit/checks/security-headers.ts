import { finding } from '../catalog.js';
import { modifierOf } from '../observatory/rubric.js';
import type { Graded } from '../observatory/score.js';
import { parseHsts } from '../observatory/tests.js';
import type { Observations } from '../probes.js';
import type { Finding, Outcome } from '../types.js';
import { evidence, exchangeEvidence, headerDetail } from './evidence.js';

/**
 * The transport and header checks: each reads the Observatory result for
 * its header and says what it means and what to change. Results the rubric
 * penalizes are failures (or warnings for the mild ones); results it
 * rewards or ignores pass.
 */
export function securityHeaderFindings(observations: Observations, graded: Graded): Finding[] {
  const { page } = observations;
  const results = graded.results;
  const at = (name: string) => [evidence(page, headerDetail(page, name))];
  const findings: Finding[] = [];

  findings.push(
    observations.secure
      ? observations.certificateValid
        ? finding('https', { outcome: 'pass', result: 'https', summary: 'Served over HTTPS with a trusted certificate.', evidence: [evidence(page)] })
        : finding('https', {
            outcome: 'fail',
            result: 'https-invalid-cert',
            summary: 'Served over HTTPS, but the certificate chain is not trusted: browsers stop at a warning page, and HSTS is void.',
            evidence: [evidence(page)],
            fix: 'Serve a certificate from a CA browsers trust, with the full chain and the host in its subjectAltName (or pass --ca when auditing a private CA).',
          })
      : finding('https', { outcome: 'fail', result: 'http-only', summary: 'Served over plain HTTP: anyone on the network can read and change traffic, and HSTS and Secure cookies cannot work.', evidence: [evidence(page)] }),
  );

  const hsts = results['strict-transport-security'];
  const hstsSentOverHttp = !observations.secure && page.headers.has('strict-transport-security');
  const hstsSummary: Record<typeof hsts, string> = {
    'hsts-implemented-max-age-at-least-six-months': 'HSTS is set for at least six months.',
    'hsts-implemented-max-age-less-than-six-months': `HSTS max-age is ${parseHsts(page.headers.all('strict-transport-security')[0] ?? '')?.maxAge ?? '?'} seconds, under six months.`,
    'hsts-not-implemented': 'No Strict-Transport-Security header on the HTTPS response.',
    'hsts-header-invalid': 'Strict-Transport-Security cannot be parsed (max-age missing or malformed, or a directive repeated).',
    'hsts-not-implemented-no-https': hstsSentOverHttp
      ? 'Strict-Transport-Security is sent over plain HTTP, where browsers ignore it (RFC 6797 §8.1); it only works on HTTPS responses.'
      : 'HSTS needs HTTPS: over plain HTTP there is nothing for it to protect.',
    'hsts-invalid-cert': 'HSTS is void while the certificate chain is not trusted.',
  };
  findings.push(
    finding('hsts', {
      outcome: hsts === 'hsts-implemented-max-age-at-least-six-months' ? 'pass' : 'fail',
      result: hstsSentOverHttp ? 'hsts-sent-over-http' : hsts,
      summary: hstsSummary[hsts],
      evidence: at('strict-transport-security'),
    }),
  );

  const redirection = results.redirection;
  const redirectOutcome: Record<typeof redirection, Outcome> = {
    'redirection-to-https': 'pass',
    'redirection-not-needed-no-http': 'pass',
    'redirection-off-host-from-http': 'warn',
    'redirection-not-to-https-on-initial-redirection': 'fail',
    'redirection-not-to-https': 'fail',
    'redirection-missing': 'fail',
    'redirection-invalid-cert': 'fail',
  };
  const unprobed = observations.target.protocol === 'https:' && observations.httpRedirect.length === 0;
  const redirectEvidence = observations.target.protocol === 'https:' ? observations.httpRedirect.map((exchange) => exchangeEvidence(exchange, exchange.response?.headers.line('location'))) : observations.startChain.map((exchange) => exchangeEvidence(exchange, exchange.response?.headers.line('location')));
  findings.push(
    unprobed
      ? finding('redirection', { outcome: 'skip', result: 'redirection-not-checked', summary: 'The HTTPS port is not 443 and no --http-port was given, so the plain-HTTP redirect was not probed.' })
      : finding('redirection', { outcome: redirectOutcome[redirection], result: redirection, summary: modifierOf('redirection', redirection)[1], evidence: redirectEvidence }),
  );

  const csp = results['content-security-policy'];
  const cspOutcome: Record<typeof csp, Outcome> = {
    'csp-implemented-with-no-unsafe-default-src-none': 'pass',
    'csp-implemented-with-no-unsafe': 'pass',
    'csp-implemented-with-unsafe-inline-in-style-src-only': 'warn',
    'csp-implemented-with-insecure-scheme-in-passive-content-only': 'warn',
    'csp-implemented-with-unsafe-eval': 'fail',
    'csp-implemented-with-unsafe-inline': 'fail',
    'csp-implemented-with-insecure-scheme': 'fail',
    'csp-header-invalid': 'fail',
    'csp-not-implemented': 'fail',
  };
  const cspFix: Partial<Record<typeof csp, string>> = {
    'csp-implemented-with-unsafe-inline-in-style-src-only': "Replace style-src 'unsafe-inline' (and https:/data:) with 'self' plus a nonce or hashes for inline styles.",
    'csp-implemented-with-unsafe-inline': "Remove 'unsafe-inline', data: and scheme wildcards from script-src, set object-src 'none', and allow inline scripts by nonce with 'strict-dynamic'.",
    'csp-implemented-with-unsafe-eval': "Remove 'unsafe-eval': move eval/new Function code to real modules.",
    'csp-implemented-with-insecure-scheme': 'Drop http: sources: load every script, style and frame over https.',
    'csp-implemented-with-insecure-scheme-in-passive-content-only': 'Drop http: sources from img-src and media-src.',
  };
  findings.push(
    finding('csp', {
      outcome: cspOutcome[csp],
      result: csp,
      summary: `${modifierOf('content-security-policy', csp)[1]} ${graded.csp.reasons.join('; ')}.`,
      evidence: at('content-security-policy'),
      ...(cspFix[csp] === undefined ? {} : { fix: cspFix[csp] }),
      zap: csp === 'csp-not-implemented' ? [10038] : [10055],
    }),
  );

  const xfo = results['x-frame-options'];
  findings.push(
    finding('x-frame-options', {
      outcome: xfo === 'x-frame-options-implemented-via-csp' || xfo === 'x-frame-options-sameorigin-or-deny' ? 'pass' : xfo === 'x-frame-options-allow-from-origin' ? 'warn' : 'fail',
      result: xfo,
      summary: xfo === 'x-frame-options-allow-from-origin' ? 'X-Frame-Options ALLOW-FROM is ignored by current browsers: the page can be framed anywhere.' : modifierOf('x-frame-options', xfo)[1],
      evidence: [evidence(page, [page.headers.line('x-frame-options'), page.headers.line('content-security-policy')].filter(Boolean).join('\n') || 'neither X-Frame-Options nor CSP frame-ancestors')],
    }),
  );

  const xcto = results['x-content-type-options'];
  findings.push(finding('x-content-type-options', { outcome: xcto === 'x-content-type-options-nosniff' ? 'pass' : 'fail', result: xcto, summary: modifierOf('x-content-type-options', xcto)[1], evidence: at('x-content-type-options') }));

  const referrer = results['referrer-policy'];
  findings.push(finding('referrer-policy', { outcome: referrer === 'referrer-policy-private' ? 'pass' : 'warn', result: referrer, summary: modifierOf('referrer-policy', referrer)[1], evidence: at('referrer-policy') }));

  const corp = results['cross-origin-resource-policy'];
  findings.push(
    finding('corp', {
      outcome: corp === 'corp-implemented-with-same-origin' || corp === 'corp-implemented-with-same-site' ? 'pass' : corp === 'corp-implemented-with-cross-origin' ? 'info' : 'warn',
      result: corp,
      summary: modifierOf('cross-origin-resource-policy', corp)[1],
      evidence: at('cross-origin-resource-policy'),
    }),
  );

  findings.push(coopFinding(observations), coepFinding(observations), permissionsPolicyFinding(observations));

  const sri = results['subresource-integrity'];
  const [sriModifier, sriSummary] = modifierOf('subresource-integrity', sri);
  findings.push(
    finding('sri', {
      outcome: sri === 'sri-not-implemented-response-not-html' ? 'skip' : sriModifier <= -20 ? 'fail' : sriModifier < 0 ? 'warn' : 'pass',
      result: sri,
      summary: sriSummary,
      evidence: [evidence(page, headerDetail(page, 'content-type'))],
    }),
  );
  return findings;
}

function coopFinding({ page }: Observations): Finding {
  const value = page.headers.get('cross-origin-opener-policy')?.trim().toLowerCase();
  const evidenceList = [evidence(page, headerDetail(page, 'cross-origin-opener-policy'))];
  if (value === undefined) return finding('coop', { outcome: 'warn', result: 'coop-not-implemented', summary: 'No Cross-Origin-Opener-Policy: pages this site opens, or that open it, share its browsing context group.', evidence: evidenceList });
  if (value === 'same-origin' || value === 'same-origin-allow-popups' || value === 'noopener-allow-popups') {
    return finding('coop', { outcome: 'pass', result: 'coop-implemented', summary: `Cross-Origin-Opener-Policy is ${value}.`, evidence: evidenceList });
  }
  if (value === 'unsafe-none') return finding('coop', { outcome: 'warn', result: 'coop-unsafe-none', summary: 'Cross-Origin-Opener-Policy is unsafe-none (the default).', evidence: evidenceList });
  return finding('coop', { outcome: 'warn', result: 'coop-header-invalid', summary: 'Cross-Origin-Opener-Policy cannot be recognized.', evidence: evidenceList });
}

function coepFinding({ page }: Observations): Finding {
  const value = page.headers.get('cross-origin-embedder-policy')?.trim().toLowerCase();
  const evidenceList = [evidence(page, headerDetail(page, 'cross-origin-embedder-policy'))];
  if (value === 'require-corp' || value === 'credentialless') return finding('coep', { outcome: 'pass', result: 'coep-implemented', summary: `Cross-Origin-Embedder-Policy is ${value}.`, evidence: evidenceList });
  if (value === undefined || value === 'unsafe-none') {
    return finding('coep', { outcome: 'info', result: 'coep-not-implemented', summary: 'No Cross-Origin-Embedder-Policy: fine unless pages need cross-origin isolation.', evidence: evidenceList });
  }
  return finding('coep', { outcome: 'warn', result: 'coep-header-invalid', summary: 'Cross-Origin-Embedder-Policy cannot be recognized.', evidence: evidenceList });
}

function permissionsPolicyFinding({ page }: Observations): Finding {
  const value = page.headers.get('permissions-policy');
  if (value !== undefined && value.trim() !== '') {
    return finding('permissions-policy', { outcome: 'pass', result: 'permissions-policy-implemented', summary: 'Permissions-Policy is set.', evidence: [evidence(page, headerDetail(page, 'permissions-policy'))] });
  }
  const legacy = page.headers.has('feature-policy');
  return finding('permissions-policy', {
    outcome: 'warn',
    result: legacy ? 'permissions-policy-legacy-feature-policy' : 'permissions-policy-not-implemented',
    summary: legacy ? 'Only the retired Feature-Policy header is set.' : 'No Permissions-Policy header.',
    evidence: [evidence(page, headerDetail(page, legacy ? 'feature-policy' : 'permissions-policy'))],
  });
}
