import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, RampartError, createRampart, runWithRequest, type Answer, type RampartOptions, type RequestView } from 'rampart';

const SILENT = { log: { level: 'silent' as const } };

function view(method: string, headers: Record<string, string>, url = '/account'): RequestView {
  return { method, url, remoteAddress: '127.0.0.1', encrypted: false, header: (name) => headers[name] };
}

/** Runs a request through the gates; returns the CSRF reason of a refusal, or 'passed'. */
async function decide(options: RampartOptions, method: string, headers: Record<string, string>, url?: string): Promise<string> {
  const rampart = createRampart({ profile: 'production', ...SILENT, ...options });
  const request = view(method, headers, url);
  const answer = (await rampart.admit(rampart.begin(request), request)) as Answer | undefined;
  if (answer === undefined) return 'passed';
  const problem = JSON.parse(answer.body) as { code: string; reason?: string };
  assert.equal(problem.code, 'CSRF_REJECTED', answer.body);
  return problem.reason ?? 'no reason';
}

describe('CSRF gate', () => {
  const cookie = '__Host-session=s';

  it('treats every method other than GET, HEAD, OPTIONS and TRACE as unsafe', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) assert.equal(await decide({}, method, { cookie, 'sec-fetch-site': 'cross-site' }), 'passed', method);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'LOCK']) assert.equal(await decide({}, method, { cookie, 'sec-fetch-site': 'cross-site' }), 'cross-site', method);
  });

  it('treats an unknown Sec-Fetch-Site value as cross-site (deny by default)', async () => {
    assert.equal(await decide({}, 'POST', { cookie, 'sec-fetch-site': 'same-origin-ish' }), 'cross-site');
  });

  it('applies the missingOrigin policy when neither header is present', async () => {
    assert.equal(await decide({}, 'POST', { cookie }), 'origin-missing');
    assert.equal(await decide({}, 'POST', {}), 'passed', 'no cookies: exempt');
    assert.equal(await decide({ csrf: { missingOrigin: 'allow', tokens: false } }, 'POST', { cookie }), 'passed');
    assert.equal(await decide({ csrf: { missingOrigin: 'allow' } }, 'POST', { cookie }), 'token-missing', 'allowing the origin still requires the token');
    assert.equal(await decide({ csrf: { missingOrigin: 'reject', exemptWithoutCookies: false } }, 'POST', {}), 'origin-missing');
  });

  it('runs the origin check on requests without cookies when asked (login CSRF)', async () => {
    const options = { csrf: { exemptWithoutCookies: false } };
    assert.equal(await decide(options, 'POST', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }), 'cross-site');
    assert.equal(await decide(options, 'POST', { 'sec-fetch-site': 'same-origin' }), 'passed', 'no cookies, so no token to check');
  });

  it('with tokens off, relies on Fetch Metadata and Origin alone', async () => {
    const options = { csrf: { tokens: false as const, origins: ['https://app.example.com'] } };
    assert.equal(await decide(options, 'POST', { cookie, 'sec-fetch-site': 'same-origin' }), 'passed');
    assert.equal(await decide(options, 'POST', { cookie, origin: 'https://app.example.com' }), 'passed');
    assert.equal(await decide(options, 'POST', { cookie, origin: 'http://app.example.com' }), 'origin-mismatch', 'scheme matters');
  });

  it('refuses a form token it cannot check: an adapter that never runs the body stage', async () => {
    assert.equal(await decide({}, 'POST', { cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' }), 'token-missing');
  });

  it('with csrf: false, installs no gate', async () => {
    assert.equal(await decide({ csrf: false }, 'POST', { cookie, 'sec-fetch-site': 'cross-site' }), 'passed');
  });

  it('validates its options at construction', () => {
    for (const csrf of [{ mode: 'report' }, { missingOrigin: 'maybe' }, { origins: ['https://a.example/path'] }, { trustedOrigins: ['null'] }, { trustedOrigins: ['*'] }, { tokens: { maxAge: 10 } }, { tokens: { field: 'bad field' } }, { exemptPaths: ['/*'] }, { exemptWithoutCookies: 'yes' }]) {
      assert.throws(() => createRampart({ ...SILENT, csrf: csrf as never }), (error: unknown) => error instanceof RampartError && error.code === 'RAMPART_INVALID_OPTION', JSON.stringify(csrf));
    }
  });
});

describe('CSRF body stage', () => {
  async function pendingForm(rampart: ReturnType<typeof createRampart>, cookieHeader: string) {
    const request = view('POST', { cookie: cookieHeader, 'sec-fetch-site': 'same-origin', 'content-type': 'multipart/form-data; boundary=x' });
    const state = rampart.begin(request);
    assert.equal(await rampart.admit(state, request), undefined, 'deferred to the body stage');
    return state;
  }

  it('reads the token from a multipart field attached as { value }', async () => {
    const rampart = createRampart({ profile: 'production', ...SILENT });
    rampart.csrf.enableBodyStage();
    const issued = rampart.csrf.issue('__Host-session=s');
    const cookieHeader = `__Host-session=s; ${(issued.setCookie ?? '').split(';')[0] as string}`;
    const state = await pendingForm(rampart, cookieHeader);
    assert.doesNotThrow(() => rampart.checkBody(state, { _csrf: { value: issued.token }, file: { filename: 'a.txt' } }));
    const again = await pendingForm(rampart, cookieHeader);
    assert.throws(() => rampart.checkBody(again, { _csrf: [issued.token, issued.token] }), (error: unknown) => error instanceof AppError && error.extensions?.['reason'] === 'token-missing');
  });

  it('is a no-op for requests the gate did not defer, and runs once per request', async () => {
    const rampart = createRampart({ profile: 'production', ...SILENT });
    rampart.csrf.enableBodyStage();
    const request = view('POST', { 'content-type': 'application/json' });
    const state = rampart.begin(request);
    assert.doesNotThrow(() => rampart.checkBody(state, { anything: true }));
    const pending = await pendingForm(rampart, '__Host-session=s');
    assert.throws(() => rampart.checkBody(pending, {}), AppError);
    assert.doesNotThrow(() => rampart.checkBody(pending, {}), 'already decided');
  });
});

describe('csrf.token()', () => {
  it('queues the anchor cookie on the current response, and needs a request to do so', () => {
    const rampart = createRampart({ profile: 'production', ...SILENT });
    assert.throws(() => rampart.csrf.token(undefined), (error: unknown) => error instanceof RampartError && error.code === 'RAMPART_NO_REQUEST_CONTEXT');
    const request = view('GET', {});
    const state = rampart.begin(request);
    const token = runWithRequest(state, () => rampart.csrf.token(undefined));
    assert.match(token, /\./);
    assert.match(state.responseHeaders?.[1] ?? '', /^__Host-csrf=[A-Za-z0-9_-]{22}; Path=\//);
    assert.equal(state.responseHeaders?.[0], 'set-cookie');
  });

  it('replaces a junk anchor a client planted instead of trusting it', () => {
    const rampart = createRampart({ profile: 'production', ...SILENT });
    assert.notEqual(rampart.csrf.issue('__Host-csrf=junk').setCookie, undefined);
  });
});
