/**
 * What an error page or a header can give away: stack traces, file paths,
 * framework fingerprints and raw library messages (ZAP 90022 "Application
 * Error Disclosure", 10023 "Debug Error Messages").
 */

export type LeakKind = 'stack-trace' | 'file-path' | 'framework' | 'library-message';

export interface Leak {
  readonly kind: LeakKind;
  readonly label: string;
  readonly excerpt: string;
}

const PATTERNS: readonly (readonly [LeakKind, string, RegExp])[] = [
  ['stack-trace', 'JavaScript stack frame', /\bat (?:async )?(?:[^\s()"']+ )?\(?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\s()"']*:\d+:\d+\)?/],
  ['stack-trace', 'Python traceback', /Traceback \(most recent call last\)|File "[^"]+", line \d+/],
  ['stack-trace', 'Java stack frame', /\bat [a-z][\w$]*(?:\.[\w$<>]+)+\([\w$]+\.(?:java|kt|scala):\d+\)|Exception in thread "/],
  ['stack-trace', '.NET stack trace', /\bat [\w.<>`]+\([^)]*\) in [^\n]+:line \d+|System\.[A-Za-z.]+Exception:/],
  ['stack-trace', 'PHP error', /(?:Fatal error|Parse error|Warning|Notice)(?:<\/b>)?:\s.+ on line (?:<b>)?\d+|Stack trace:\s*(?:<br \/>\s*)?#0/i],
  ['stack-trace', 'Ruby backtrace', /\.rb:\d+:in [`']/],
  ['stack-trace', 'Go panic', /goroutine \d+ \[running\]|panic: .+\n/],
  ['file-path', 'server file path', /(?:\/(?:home|root|srv|opt|usr\/src|usr\/local\/lib|var\/www|var\/lib|Users|app\/src|workspace)\/[\w.@-]+(?:\/[\w.@-]+)*)|[A-Za-z]:\\(?:[\w .-]+\\)+[\w .-]*/],
  ['file-path', 'node_modules path', /node_modules[\\/][\w@.-]+/],
  ['file-path', 'source file with line number', /[\w.-]+\.(?:js|mjs|cjs|ts|py|rb|php|java|cs|go):\d+/],
  ['framework', 'Express default error page', /Cannot (?:GET|POST|PUT|PATCH|DELETE|PROPFIND|TRACE|OPTIONS|HEAD) \//],
  ['framework', 'Fastify error code', /\bFST_ERR_[A-Z_]+|Route [A-Z]+:\S+ not found/],
  ['framework', 'framework name', /\b(?:Werkzeug|Django|Laravel|Symfony|Whitelabel Error Page|Apache Tomcat|Jetty|ASP\.NET|ActionController|Phoenix\.Router|Express(?:\.js)?|Koa|Hapi|NestJS|Next\.js|body-parser|raw-body)\b/],
  ['framework', 'server signature', /\b(?:nginx|Apache|Microsoft-IIS|openresty|LiteSpeed|Caddy)\/\d+(?:\.\d+)*/],
  // V8's own JSON.parse messages (`Unexpected token 'x', "{…" is not valid JSON`), not a generic "not valid JSON" sentence.
  ['library-message', 'JSON parser message', /Unexpected token .* in JSON|Unexpected end of JSON input|Expected property name or '\}' in JSON|" is not valid JSON|JSON\.parse|SyntaxError:/],
  ['library-message', 'body parser message', /PayloadTooLargeError|[Rr]equest entity too large|stream is not readable|Body is not valid JSON but content-type/],
];

/** Every distinct leak in a body, in the order of the patterns. */
export function findLeaks(body: string): Leak[] {
  const leaks: Leak[] = [];
  // JSON bodies escape newlines and slashes; read them as a person would.
  const text = body.replaceAll('\\n', '\n').replaceAll('\\/', '/').replaceAll('\\\\', '\\');
  for (const [kind, label, pattern] of PATTERNS) {
    const match = pattern.exec(text);
    if (match === null) continue;
    const start = Math.max(0, match.index - 20);
    leaks.push({ kind, label, excerpt: text.slice(start, match.index + Math.min(match[0].length, 120)).replace(/\s+/g, ' ').trim() });
  }
  return leaks;
}

/**
 * Headers that name the platform, its version, a backend host or debug
 * tooling, after the OWASP Secure Headers Project's list of headers to
 * remove (`Server` and `X-Powered-By` have checks of their own), with the
 * ZAP rule that reports each where there is one.
 */
export const HEADERS_TO_REMOVE: ReadonlyMap<string, number | undefined> = new Map([
  ['x-aspnet-version', 10061],
  ['x-aspnetmvc-version', 10061],
  ['x-backend-server', 10039],
  ['x-beserver', 10039],
  ['x-feserver', 10039],
  ['x-backside-transport', 10039],
  ['x-calculatedbetarget', 10039],
  ['x-chromelogger-data', 10052],
  ['x-chromephp-data', 10052],
  ['x-debug-token', 10056],
  ['x-debug-token-link', 10056],
  ['x-diaginfo', undefined],
  ['x-generator', undefined],
  ['x-generated-by', undefined],
  ['x-runtime', undefined],
  ['x-version', undefined],
  ['x-php-version', undefined],
  ['x-powered-by-plesk', undefined],
  ['x-powered-cms', undefined],
  ['x-server-powered-by', undefined],
  ['x-cf-powered-by', undefined],
  ['x-framework', undefined],
  ['x-cms', undefined],
  ['x-drupal-cache', undefined],
  ['x-drupal-dynamic-cache', undefined],
  ['x-joomla-version', undefined],
  ['x-umbraco-version', undefined],
  ['x-owa-version', undefined],
  ['x-cocoon-version', undefined],
  ['x-jitsi-release', undefined],
  ['liferay-portal', undefined],
  ['oraclecommercecloud-version', undefined],
  ['x-mod-pagespeed', undefined],
  ['x-page-speed', undefined],
  ['x-turbo-charged-by', undefined],
  ['x-litespeed-cache', undefined],
  ['x-varnish-backend', undefined],
  ['x-varnish-server', undefined],
  ['x-envoy-upstream-service-time', undefined],
  ['x-nextjs-matched-path', undefined],
  ['x-sourcemap', undefined],
  ['sourcemap', undefined],
  ['x-sourcefiles', undefined],
  ['x-redirect-by', undefined],
]);

/** A version number in a Server value (`nginx/1.25.3`, `Apache/2.4.57 (Debian)`). */
export const VERSIONED_SERVER = /\d+(?:\.\d+)+|\/\d/;
