import { finding } from '../catalog.js';
import { isSessionLike, parseSetCookie, uniqueCookies, type SeenCookie } from '../http/cookies.js';
import type { Observations } from '../probes.js';
import type { Evidence, Finding } from '../types.js';
import { requestLine } from './evidence.js';

/** Every cookie set on any response, one per name and path (the last line wins, as in a cookie jar). */
export function seenCookies(observations: Observations): SeenCookie[] {
  const all: SeenCookie[] = [];
  for (const response of observations.responses) {
    for (const line of response.headers.all('set-cookie')) {
      const cookie = parseSetCookie(line, requestLine(response), response.url.protocol === 'https:');
      if (cookie !== undefined) all.push(cookie);
    }
  }
  return uniqueCookies(all);
}

const show = (cookies: readonly SeenCookie[]): Evidence[] => cookies.slice(0, 5).map((cookie) => ({ request: cookie.setBy, detail: `Set-Cookie: ${cookie.line}` }));
const names = (cookies: readonly SeenCookie[]): string => cookies.map((cookie) => cookie.name).join(', ');

/** Secure, HttpOnly, SameSite and the `__Host-` prefix on the cookies the audit was given. */
export function cookieFindings(cookies: readonly SeenCookie[]): Finding[] {
  if (cookies.length === 0) {
    return (['cookie-secure', 'cookie-httponly', 'cookie-samesite', 'cookie-host-prefix'] as const).map((id) =>
      finding(id, { outcome: 'skip', result: 'cookies-not-found', summary: 'No cookies were set on the pages visited (add pages with --page).' }),
    );
  }
  const sessions = cookies.filter((cookie) => isSessionLike(cookie.name));
  const findings: Finding[] = [];

  const insecure = cookies.filter((cookie) => !cookie.secure || !cookie.overHttps);
  findings.push(
    insecure.length === 0
      ? finding('cookie-secure', { outcome: 'pass', result: 'cookies-secure', summary: `All ${cookies.length} cookies are Secure and set over HTTPS.`, evidence: show(cookies) })
      : finding('cookie-secure', {
          outcome: 'fail',
          result: insecure.some((cookie) => !cookie.overHttps) ? 'cookies-set-over-http' : 'cookies-without-secure',
          summary: `${insecure.length} cookie(s) can travel over plain HTTP: ${names(insecure)}.`,
          evidence: show(insecure),
          severity: insecure.some((cookie) => isSessionLike(cookie.name)) ? 'high' : 'medium',
        }),
  );

  const readable = sessions.filter((cookie) => !cookie.httpOnly);
  findings.push(
    sessions.length === 0
      ? finding('cookie-httponly', { outcome: 'pass', result: 'no-session-cookies', summary: 'No session-like cookies (those need HttpOnly); other cookies may stay readable by scripts.' })
      : readable.length === 0
        ? finding('cookie-httponly', { outcome: 'pass', result: 'session-cookies-httponly', summary: `Session cookies are HttpOnly: ${names(sessions)}.`, evidence: show(sessions) })
        : finding('cookie-httponly', { outcome: 'fail', result: 'session-cookie-without-httponly', summary: `Scripts can read session cookie(s): ${names(readable)}.`, evidence: show(readable) }),
  );

  const invalid = cookies.filter((cookie) => cookie.sameSite !== undefined && !['strict', 'lax', 'none'].includes(cookie.sameSite));
  const noneInsecure = cookies.filter((cookie) => cookie.sameSite === 'none' && !cookie.secure);
  const sessionWithout = sessions.filter((cookie) => cookie.sameSite === undefined || cookie.sameSite === 'none');
  const otherWithout = cookies.filter((cookie) => cookie.sameSite === undefined && !isSessionLike(cookie.name));
  if (invalid.length + noneInsecure.length > 0) {
    findings.push(
      finding('cookie-samesite', {
        outcome: 'fail',
        result: 'cookies-samesite-invalid',
        summary: `SameSite is invalid, or None without Secure (browsers drop those): ${names([...invalid, ...noneInsecure])}.`,
        evidence: show([...invalid, ...noneInsecure]),
      }),
    );
  } else if (sessionWithout.length > 0) {
    findings.push(
      finding('cookie-samesite', {
        outcome: 'fail',
        result: 'session-cookie-without-samesite',
        summary: `Session cookie(s) travel on cross-site requests (no SameSite, or None): ${names(sessionWithout)}.`,
        evidence: show(sessionWithout),
      }),
    );
  } else if (otherWithout.length > 0) {
    findings.push(finding('cookie-samesite', { outcome: 'warn', result: 'cookies-without-samesite', summary: `Cookie(s) without SameSite: ${names(otherWithout)}.`, evidence: show(otherWithout) }));
  } else {
    findings.push(finding('cookie-samesite', { outcome: 'pass', result: 'cookies-samesite', summary: 'Every cookie sets SameSite.', evidence: show(cookies) }));
  }

  // RFC 6265bis §4.1.3.2: a __Host- cookie must be Secure, Path=/, with no Domain, set from a secure origin.
  const badHost = cookies.filter((cookie) => cookie.name.startsWith('__Host-') && (!cookie.secure || cookie.domain !== undefined || cookie.path !== '/' || !cookie.overHttps));
  const unprefixed = sessions.filter((cookie) => !cookie.name.startsWith('__Host-'));
  if (badHost.length > 0) {
    findings.push(
      finding('cookie-host-prefix', {
        outcome: 'fail',
        result: 'host-prefix-invalid',
        summary: `Browsers reject these __Host- cookies (they need Secure, Path=/, no Domain and HTTPS): ${names(badHost)}.`,
        evidence: show(badHost),
      }),
    );
  } else if (unprefixed.length > 0) {
    findings.push(
      finding('cookie-host-prefix', {
        outcome: 'warn',
        result: 'session-cookie-without-host-prefix',
        summary: `Session cookie(s) without the __Host- prefix, so a subdomain or an HTTP page could set them: ${names(unprefixed)}.`,
        evidence: show(unprefixed),
      }),
    );
  } else {
    findings.push(
      finding('cookie-host-prefix', {
        outcome: 'pass',
        result: sessions.length === 0 ? 'no-session-cookies' : 'session-cookies-host-prefixed',
        summary: sessions.length === 0 ? 'No session-like cookies.' : `Session cookies use __Host-: ${names(sessions)}.`,
      }),
    );
  }
  return findings;
}
