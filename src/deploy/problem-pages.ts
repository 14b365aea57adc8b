import { PROBLEM_CODES, type ProblemCode } from '../errors/codes.js';
import { problemSlug } from '../errors/problem.js';

/**
 * The rejections nginx makes itself, answered in Rampart's one error format
 * (RFC 9457 problem details with `code` and `requestId`) so a client never
 * sees nginx's HTML error pages or learns it is talking to nginx.
 */
export interface ProblemPage {
  /**
   * Internal location answering it, e.g. `/__rampart_error/rate-limited`. A URI,
   * not a named location: nginx cannot jump to a named location from a request
   * line it failed to parse (414).
   */
  readonly uri: string;
  /** Statuses nginx produces that this page answers. */
  readonly statuses: readonly number[];
  readonly code: ProblemCode;
  /** The status sent: the problem code's. */
  readonly status: number;
  /** Response headers besides content type, request id and HSTS. */
  readonly headers: Readonly<Record<string, string>>;
}

const PAGES: readonly Omit<ProblemPage, 'uri' | 'status'>[] = [
  // client_max_body_size
  { statuses: [413], code: 'PAYLOAD_TOO_LARGE', headers: {} },
  // large_client_header_buffers: nginx's internal 494 "Request Header Or Cookie Too Large" (RFC 6585 §5 names it 431).
  { statuses: [494], code: 'HEADERS_TOO_LARGE', headers: {} },
  { statuses: [414], code: 'URI_TOO_LONG', headers: {} },
  // Hidden operator paths, and the internal error locations requested from outside; the app's own 404s pass through.
  { statuses: [404], code: 'NOT_FOUND', headers: {} },
  // limit_req
  { statuses: [429], code: 'RATE_LIMITED', headers: { 'Retry-After': '1' } },
  // No instance answered (refused, reset, timed out) after proxy_next_upstream's retries.
  { statuses: [502, 503, 504], code: 'SERVICE_UNAVAILABLE', headers: { 'Retry-After': '5' } },
];

/** Characters that would end nginx's single-quoted string or start a variable. */
const UNSAFE_IN_BODY = /['\\$]/;

export function problemPages(prefix: string): ProblemPage[] {
  return PAGES.map((page) => ({ ...page, status: PROBLEM_CODES[page.code].status, uri: `/__${prefix}_error/${problemSlug(page.code)}` }));
}

/**
 * The problem document as an nginx single-quoted string, with the request id
 * filled in by nginx from `requestIdVariable` (already restricted to a safe
 * charset by the config's map). `instance` is left out: nginx cannot JSON-escape
 * the request path into a `return` body, and RFC 9457 §3.1 makes it optional.
 */
export function problemBody(code: ProblemCode, typeBase: string, requestIdVariable: string): string {
  const info = PROBLEM_CODES[code];
  const placeholder = '\u0000REQUEST_ID\u0000';
  const json = JSON.stringify({
    type: typeBase + problemSlug(code),
    title: info.title,
    status: info.status,
    detail: info.detail,
    code,
    requestId: placeholder,
  });
  const text = json.replace(JSON.stringify(placeholder), `"${requestIdVariable}"`);
  // Guard against a future detail text breaking out of the quoted string.
  if (UNSAFE_IN_BODY.test(text.replace(requestIdVariable, ''))) throw new Error(`problem ${code} cannot be written into an nginx string`);
  return `'${text}'`;
}
