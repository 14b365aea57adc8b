import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar, Keyring, MAX_COOKIE_AGE_SECONDS, RampartError } from 'rampart';

const keyring = new Keyring('cookie-jar-test-secret-0123456789');

function invalid(fn: () => unknown, option: string): void {
  assert.throws(fn, (error: unknown) => error instanceof RampartError && error.code === 'RAMPART_INVALID_OPTION' && error.message.includes(option));
}

describe('CookieJar', () => {
  it('is Secure with __Host- names in staging and production, plain in development and test', () => {
    assert.equal(new CookieJar(keyring, 'production').sessionName, '__Host-session');
    assert.equal(new CookieJar(keyring, 'staging').sessionName, '__Host-session');
    assert.equal(new CookieJar(keyring, 'development').sessionName, 'session');
    assert.equal(new CookieJar(keyring, 'test', { secure: true }).sessionName, '__Host-session');
  });

  it('refuses to turn Secure off in production-like profiles, and other bad options', () => {
    invalid(() => new CookieJar(keyring, 'production', { secure: false }), 'cookies.secure');
    invalid(() => new CookieJar(keyring, 'development', { sameSite: 'none' as 'lax' }), 'cookies.sameSite');
    invalid(() => new CookieJar(keyring, 'development', { sessionMaxAge: MAX_COOKIE_AGE_SECONDS + 1 }), 'cookies.sessionMaxAge');
    invalid(() => new CookieJar(keyring, 'development', { sessionMaxAge: 0 }), 'cookies.sessionMaxAge');
    invalid(() => new CookieJar(keyring, 'development', { sessionName: 'bad name' }), 'cookies.sessionName');
    invalid(() => new CookieJar(keyring, 'development', { sessionName: '__Host-x' }), 'cookies.sessionName');
  });

  it('writes every attribute explicitly, and never a Domain', () => {
    const jar = new CookieJar(keyring, 'production');
    assert.match(jar.serialize('theme', 'dark', { signed: false, httpOnly: false, maxAge: 60 }), /^__Host-theme=dark; Path=\/; Max-Age=60; Secure; SameSite=Lax$/);
    assert.match(jar.serialize('prefs', 'x', { path: '/app', sameSite: 'strict', signed: false }), /^__Secure-prefs=x; Path=\/app; Max-Age=604800; HttpOnly; Secure; SameSite=Strict$/);
    assert.match(jar.serialize('embed', 'x', { sameSite: 'none', signed: false }), /; Secure; SameSite=None$/);
    assert.match(jar.clear('theme'), /^__Host-theme=; Path=\/; Max-Age=0; HttpOnly; Secure; SameSite=Lax$/);
    assert.match(jar.clearSession(), /^__Host-session=; Path=\/; Max-Age=0;/);
  });

  it('refuses what a browser would drop or misread', () => {
    const jar = new CookieJar(keyring, 'development');
    invalid(() => jar.serialize('x', 'y', { sameSite: 'none' }), 'sameSite');
    invalid(() => jar.serialize('x', 'y', { maxAge: MAX_COOKIE_AGE_SECONDS + 1 }), 'maxAge');
    invalid(() => jar.serialize('x', 'y', { maxAge: -1 }), 'maxAge');
    invalid(() => jar.serialize('x', 'y', { path: 'relative' }), 'path');
    invalid(() => jar.serialize('x', 'y', { path: '/a;Domain=evil.example' }), 'path');
    invalid(() => jar.serialize('bad;name', 'y'), 'cookie name');
    invalid(() => jar.serialize('big', 'x'.repeat(5000)), 'cookie "big"');
  });

  it('percent-encodes values, so separators cannot inject attributes', () => {
    const jar = new CookieJar(keyring, 'development');
    const line = jar.serialize('note', 'a; Domain=evil.example, b="c"', { signed: false });
    assert.equal(line.split(';')[0], 'note=a%3B%20Domain%3Devil.example%2C%20b%3D%22c%22');
    assert.equal(jar.get(line.split(';')[0], 'note', { signed: false }), 'a; Domain=evil.example, b="c"');
  });

  it('signs values bound to the cookie name and reads them back', () => {
    const jar = new CookieJar(keyring, 'production');
    const pair = jar.session('user:42').split(';')[0] as string;
    assert.deepEqual(jar.readSession(pair), { value: 'user:42', rotated: false });
    assert.equal(jar.get(pair, 'session'), 'user:42');
    assert.equal(jar.get(pair.replace('__Host-session', '__Host-other'), 'other'), undefined, 'moved to another name');
    assert.equal(jar.get(pair.replace('user%3A42', 'user%3A43'), 'session'), undefined, 'value changed');
    assert.equal(jar.get('__Host-session=user%3A42', 'session'), undefined, 'unsigned');
    assert.equal(jar.get({ '__Host-session': pair.slice(pair.indexOf('=') + 1) }, 'session'), 'user:42', 'from parsed cookies');
  });

  it('reads cookies signed with a previous secret as rotated, and not once it is dropped', () => {
    const old = new CookieJar(new Keyring('old-cookie-secret-0123456789'), 'production');
    const pair = old.session('s-1').split(';')[0] as string;
    const rotated = new CookieJar(new Keyring('new-cookie-secret-0123456789', ['old-cookie-secret-0123456789']), 'production');
    assert.deepEqual(rotated.readSession(pair), { value: 's-1', rotated: true });
    assert.deepEqual(rotated.readSession(rotated.session('s-1').split(';')[0]), { value: 's-1', rotated: false });
    assert.equal(new CookieJar(new Keyring('new-cookie-secret-0123456789'), 'production').readSession(pair), undefined);
  });

  it('treats undecodable percent-encoding as absent', () => {
    const jar = new CookieJar(keyring, 'development');
    assert.equal(jar.get('x=%E0%A4%A', 'x', { signed: false }), undefined);
  });
});
