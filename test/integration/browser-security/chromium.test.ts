import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, requireChromium } from '../../support/chromium.js';
import { rampart } from 'rampart/fastify';
import { freePort } from '../../support/free-port.js';

/**
 * CSRF, cookies and CORS in a real browser (Debian's Chromium): the Fetch
 * Metadata, SameSite and CORS behaviour Rampart's defenses rely on is the
 * browser's, so it is checked against one. `*.example.test` is mapped to
 * loopback; `app.example.test`, `evil.example.test` and
 * `partner.example.test` are the same *site* (sibling subdomains of
 * `example.test`), `127.0.0.1` is another site. Everything is served over
 * HTTPS with a throwaway certificate, so `__Host-` cookies are accepted as
 * in production.
 */


/** A one-day self-signed certificate for the test hosts. */
function certificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=example.test', '-addext', 'subjectAltName=DNS:*.example.test,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


interface Seen {
  site: string | undefined;
  origin: string | undefined;
  session: boolean;
}

describe('browser security in Chromium', () => {
  let app: FastifyInstance;
  let attacker: Server;
  let browser: Browser | undefined;
  let appOrigin: string;
  let attackerPort: number;
  /** What reached the state-changing handler (the CSRF gate lets nothing else through). */
  const reached: Seen[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) return;
    const tls = certificate();
    const port = await freePort();
    appOrigin = `https://app.example.test:${port}`;
    attacker = createServer(tls, (request, response) => {
      const target = `${appOrigin}/account/email`;
      const pages: Record<string, string> = {
        // A forged form post, submitted as soon as the page loads.
        '/forge': `<form id="f" method="post" action="${target}"><input name="email" value="attacker@evil.example"></form><script>document.getElementById('f').submit()</script>`,
        // A script reading the user's data with their cookies.
        '/read': `<script>fetch('${appOrigin}/api/me', { credentials: 'include' }).then((r) => r.json()).then((body) => { document.title = 'read:' + JSON.stringify(body); }, () => { document.title = 'blocked'; });</script>`,
      };
      const page = pages[request.url ?? ''];
      response.writeHead(page === undefined ? 404 : 200, { 'content-type': 'text/html' }).end(page ?? '');
    });
    attacker.listen(0, '127.0.0.1');
    await new Promise((resolve) => attacker.once('listening', resolve));
    attackerPort = (attacker.address() as AddressInfo).port;

    app = Fastify({ https: tls });
    await app.register(rampart, {
      profile: 'production',
      log: { level: 'silent' },
      csrf: { origins: [appOrigin] },
      cors: { origins: [`https://partner.example.test:${attackerPort}`], credentials: true },
    });
    app.get('/form', async (request, reply) => {
      if (app.rampart.cookies.readSession(request.headers.cookie) === undefined) void reply.header('set-cookie', app.rampart.cookies.session(randomUUID()));
      // The session cookie set just now is not in this request: the page is reloaded before posting.
      const token = app.rampart.csrf.token(request.headers.cookie);
      const nonce = request.rampart.cspNonce;
      return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>form</title>
        <form id="form" method="post" action="/account/email"><input type="hidden" name="_csrf" value="${token}"><input name="email" value="alice@example.com"><button id="submit">Save</button></form>
        <meta name="csrf-token" content="${token}">
        <script nonce="${nonce}">window.save = () => fetch('/account/email', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': document.querySelector('meta[name=csrf-token]').content }, body: '{"email":"alice@example.org"}' }).then((r) => r.status);</script>`);
    });
    const change = async (request: { headers: Record<string, string | string[] | undefined> }) => {
      const session = app.rampart.cookies.readSession(request.headers['cookie'] as string | undefined) !== undefined;
      reached.push({ site: request.headers['sec-fetch-site'] as string | undefined, origin: request.headers['origin'] as string | undefined, session });
      // Like any real handler, it changes nothing for a caller without a session.
      return { changed: session };
    };
    app.post('/account/email', change);
    app.put('/account/email', change);
    app.get('/api/me', async (request) => ({ session: app.rampart.cookies.readSession(request.headers.cookie)?.value ?? null }));
    await app.listen({ port, host: '127.0.0.1' });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    attacker?.close();
  });

  async function signedIn(): Promise<Page> {
    browser ??= await launchChromium(['--host-resolver-rules=MAP *.example.test 127.0.0.1', '--ignore-certificate-errors']);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appOrigin}/form`); // sets the session cookie
    await page.goto(`${appOrigin}/form`); // renders a token bound to it
    const cookies = await context.cookies();
    assert.deepEqual(cookies.map((cookie) => cookie.name).sort(), ['__Host-csrf', '__Host-session'], 'Chromium accepted both __Host- cookies');
    assert.ok(cookies.every((cookie) => cookie.secure && cookie.httpOnly && cookie.sameSite === 'Lax' && cookie.path === '/'));
    return page;
  }

  it('a same-origin form post with its token and a script call with the header succeed', async (t) => {
    if (!requireChromium(t)) return;
    const page = await signedIn();
    reached.length = 0;
    const [response] = await Promise.all([page.waitForResponse(`${appOrigin}/account/email`), page.click('#submit')]);
    assert.equal(response.status(), 200);
    assert.deepEqual(await response.json(), { changed: true });
    await page.goto(`${appOrigin}/form`);
    assert.equal(await page.evaluate('window.save()'), 200);
    assert.deepEqual(reached, [
      // Referrer-Policy: no-referrer (Rampart's default) makes a form post send `Origin: null`
      // even to its own origin (Fetch standard, "serializing a request origin"): Sec-Fetch-Site
      // is what identifies it, which is why Rampart reads that first.
      { site: 'same-origin', origin: 'null', session: true },
      { site: 'same-origin', origin: appOrigin, session: true },
    ]);
    await page.context().close();
  });

  it('a sibling subdomain (same site, so SameSite=Lax sends the cookies) is refused by Fetch Metadata', async (t) => {
    if (!requireChromium(t)) return;
    const page = await signedIn();
    reached.length = 0;
    const [response] = await Promise.all([page.waitForResponse(`${appOrigin}/account/email`), page.goto(`https://evil.example.test:${attackerPort}/forge`)]);
    assert.equal(response.status(), 403);
    const problem = (await response.json()) as { code: string; reason: string };
    assert.deepEqual([problem.code, problem.reason], ['CSRF_REJECTED', 'cross-site']);
    const sent = await response.request().allHeaders();
    assert.equal(sent['sec-fetch-site'], 'same-site', 'Chromium labelled the request');
    assert.match(sent['cookie'] ?? '', /__Host-session=/, 'SameSite=Lax did not stop it: the site is the same');
    assert.deepEqual(reached, [], 'the handler never ran');
    await page.context().close();
  });

  it('another site: SameSite=Lax withholds the cookies, so the forged post acts as nobody', async (t) => {
    if (!requireChromium(t)) return;
    const page = await signedIn();
    reached.length = 0;
    const [response] = await Promise.all([page.waitForResponse(`${appOrigin}/account/email`), page.goto(`https://127.0.0.1:${attackerPort}/forge`)]);
    assert.deepEqual(await response.json(), { changed: false });
    assert.deepEqual(reached, [{ site: 'cross-site', origin: `https://127.0.0.1:${attackerPort}`, session: false }]);
    await page.context().close();
  });

  it('CORS: an unlisted origin cannot read the user’s data; the listed partner can', async (t) => {
    if (!requireChromium(t)) return;
    const page = await signedIn();
    await page.goto(`https://evil.example.test:${attackerPort}/read`);
    await page.waitForFunction('document.title !== ""');
    assert.equal(await page.title(), 'blocked');
    await page.goto(`https://partner.example.test:${attackerPort}/read`);
    await page.waitForFunction('document.title !== ""');
    assert.match(await page.title(), /^read:\{"session":"[0-9a-f-]{36}"\}$/);
    await page.context().close();
  });
});
