import { finding } from '../catalog.js';
import { startTags } from '../http/html.js';
import type { Exchange, Observations } from '../probes.js';
import type { Evidence, Finding } from '../types.js';
import { exchangeEvidence } from './evidence.js';

const corsDetail = (exchange: Exchange): string | undefined =>
  [exchange.response?.headers.line('access-control-allow-origin'), exchange.response?.headers.line('access-control-allow-credentials')].filter(Boolean).join('\n') || undefined;

/**
 * CORS from an origin nobody lists: reflecting it (or `null`) with
 * credentials lets any site read a signed-in user's data (PortSwigger,
 * "CORS vulnerability with basic origin reflection"); `*` with credentials is
 * refused by browsers and usually means reflection is one setting away.
 */
export function corsFinding(observations: Observations): Finding {
  const probes: { name: string; origin: string; exchange: Exchange | undefined }[] = [
    { name: 'an unlisted Origin', origin: observations.corsOrigin, exchange: observations.cors },
    { name: 'Origin: null', origin: 'null', exchange: observations.corsNull },
    { name: 'a preflight from an unlisted Origin', origin: observations.corsOrigin, exchange: observations.corsPreflight },
  ];
  const evidenceOf = (exchange: Exchange): Evidence => exchangeEvidence(exchange, corsDetail(exchange) ?? 'no Access-Control-Allow-Origin');
  let reflectedWithoutCredentials: { name: string; exchange: Exchange } | undefined;
  let wildcardWithCredentials: { name: string; exchange: Exchange } | undefined;
  for (const { name, origin, exchange } of probes) {
    const response = exchange?.response;
    if (exchange === undefined || response === undefined) continue;
    const allowOrigin = response.headers.get('access-control-allow-origin')?.trim();
    const credentials = response.headers.get('access-control-allow-credentials')?.trim().toLowerCase() === 'true';
    if (allowOrigin === origin && credentials) {
      return finding('cors', {
        outcome: 'fail',
        result: origin === 'null' ? 'cors-null-origin-with-credentials' : 'cors-reflects-origin-with-credentials',
        summary: `The server trusts ${name} with credentials: any site can read responses as the signed-in user.`,
        evidence: [evidenceOf(exchange)],
      });
    }
    if (allowOrigin === '*' && credentials) wildcardWithCredentials ??= { name, exchange };
    if (allowOrigin === origin && !credentials) reflectedWithoutCredentials ??= { name, exchange };
  }
  if (wildcardWithCredentials !== undefined) {
    return finding('cors', {
      outcome: 'fail',
      result: 'cors-wildcard-with-credentials',
      summary: 'Access-Control-Allow-Origin: * is sent with Access-Control-Allow-Credentials: true; browsers refuse the pair, and the usual "fix" is reflecting any origin.',
      evidence: [evidenceOf(wildcardWithCredentials.exchange)],
      severity: 'medium',
    });
  }
  if (reflectedWithoutCredentials !== undefined) {
    return finding('cors', {
      outcome: 'warn',
      result: 'cors-reflects-any-origin',
      summary: `The server echoes ${reflectedWithoutCredentials.name} back without credentials: any site can read these responses (fine only for public data).`,
      evidence: [evidenceOf(reflectedWithoutCredentials.exchange)],
      severity: 'low',
    });
  }
  return finding('cors', {
    outcome: 'pass',
    result: 'cors-unlisted-origin-refused',
    summary: 'An unlisted Origin and Origin: null get no credentialed CORS access.',
    evidence: probes.flatMap(({ exchange }) => (exchange === undefined ? [] : [evidenceOf(exchange)])),
  });
}

/**
 * A form post as a browser sends it from another site, with the cookies the
 * audit holds: a CSRF defence (Fetch Metadata, Origin check or token) answers
 * 403 before the handler runs. Anything accepted is a failure.
 */
export function csrfFinding(observations: Observations): Finding {
  if (observations.csrf.length === 0) {
    const forms = postForms(observations);
    return finding('csrf', {
      outcome: 'skip',
      result: 'csrf-not-configured',
      summary:
        forms.length > 0
          ? `No --csrf-path given; the pages visited post forms to ${forms.join(', ')}: pass one to test it.`
          : 'No --csrf-path given: pass a state-changing path (a login or form endpoint) to test it.',
    });
  }
  const verdicts = observations.csrf.map((exchange) => ({ exchange, status: exchange.response?.status }));
  const evidenceList = verdicts.map(({ exchange }) => exchangeEvidence(exchange, exchange.response === undefined ? undefined : [`sent Origin: ${observations.csrfOrigin}, Sec-Fetch-Site: cross-site`, exchange.response.headers.line('content-type'), exchange.response.headers.line('location')].filter(Boolean).join('\n')));
  // 503 is the service shedding load or draining: it neither accepted nor refused the post.
  const accepted = verdicts.filter(({ status }) => status !== undefined && (status < 400 || (status >= 500 && status !== 503)));
  if (accepted.length > 0) {
    return finding('csrf', {
      outcome: 'fail',
      result: 'csrf-cross-site-post-accepted',
      summary: `A cross-site form post was not refused: ${accepted.map(({ exchange, status }) => `${exchange.label} → ${status}`).join(', ')}.`,
      evidence: evidenceList,
    });
  }
  const unclear = verdicts.filter(({ status }) => status !== 403);
  if (unclear.length > 0) {
    return finding('csrf', {
      outcome: 'warn',
      result: 'csrf-inconclusive',
      summary: `Not the 403 a CSRF defence answers: ${unclear.map(({ exchange, status }) => `${exchange.label} → ${status ?? 'no answer'}`).join(', ')} (a missing path, or the handler ran and refused the body).`,
      evidence: evidenceList,
    });
  }
  return finding('csrf', { outcome: 'pass', result: 'csrf-cross-site-post-rejected', summary: 'Cross-site form posts are refused with 403.', evidence: evidenceList });
}

/** `action`s of POST forms on the HTML pages visited, to suggest CSRF paths. */
function postForms(observations: Observations): string[] {
  const actions = new Set<string>();
  for (const response of observations.responses) {
    if (!(response.headers.get('content-type') ?? '').includes('html')) continue;
    for (const form of startTags(response.body, 'form')) {
      if ((form.get('method') ?? 'get').toLowerCase() !== 'post') continue;
      try {
        const action = new URL(form.get('action') ?? '', response.url);
        if (action.origin === response.url.origin) actions.add(action.pathname);
      } catch {
        // an unparsable action is no candidate
      }
    }
  }
  return [...actions].slice(0, 5);
}
