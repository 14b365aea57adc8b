/** A `Set-Cookie` line as the audit needs it (RFC 6265bis §5.6). */
export interface SeenCookie {
  readonly name: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** Lower-cased `SameSite` value, or undefined when absent. */
  readonly sameSite: string | undefined;
  readonly path: string | undefined;
  readonly domain: string | undefined;
  /** The page that set it. */
  readonly setBy: string;
  /** The page was served over HTTPS (a cookie set over HTTP is exposed whatever its flags). */
  readonly overHttps: boolean;
  /** The line with its value elided, for evidence. */
  readonly line: string;
}

export function parseSetCookie(line: string, setBy: string, overHttps: boolean): SeenCookie | undefined {
  const [pair, ...attributes] = line.split(';');
  const equals = pair?.indexOf('=') ?? -1;
  const name = (equals === -1 ? '' : (pair as string).slice(0, equals)).trim();
  if (name === '') return undefined;
  let secure = false;
  let httpOnly = false;
  let sameSite: string | undefined;
  let path: string | undefined;
  let domain: string | undefined;
  const shown: string[] = [`${name}=…`];
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest.join('=').trim();
    switch (key) {
      case 'secure':
        secure = true;
        break;
      case 'httponly':
        httpOnly = true;
        break;
      case 'samesite':
        sameSite = value.toLowerCase();
        break;
      case 'path':
        path = value;
        break;
      case 'domain':
        domain = value;
        break;
      default:
        break;
    }
    if (key !== '') shown.push(attribute.trim());
  }
  return { name, secure, httpOnly, sameSite, path, domain, setBy, overHttps, line: shown.join('; ') };
}

/**
 * Cookies that carry a session or credentials: the ones an attacker wants.
 * Names frameworks and teams commonly use (connect.sid, PHPSESSID,
 * JSESSIONID, ASP.NET_SessionId, next-auth.session-token, `*_session`, …).
 */
const SESSION_LIKE = /sess|sid$|^sid|auth|token|login|jwt|remember|identity|user_?id|access|refresh|credential/i;
const ANTI_CSRF = /csrf|xsrf/i;

export function isSessionLike(name: string): boolean {
  return SESSION_LIKE.test(name) && !ANTI_CSRF.test(name);
}

export function isAntiCsrf(name: string): boolean {
  return ANTI_CSRF.test(name);
}

/** One entry per cookie name: the last line seen wins, as in a browser's jar. */
export function uniqueCookies(cookies: readonly SeenCookie[]): SeenCookie[] {
  const byName = new Map<string, SeenCookie>();
  for (const cookie of cookies) byName.set(`${cookie.name}\n${cookie.path ?? ''}`, cookie);
  return [...byName.values()];
}
