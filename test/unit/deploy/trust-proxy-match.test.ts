import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderNginxConfig } from '../../../src/deploy/nginx.js';
import type { NginxOptions } from '../../../src/deploy/nginx-options.js';
import { checkTrustProxy, formatTrustProxy, parseTrustProxy } from '../../../src/deploy/trust-proxy-match.js';

const BASE: NginxOptions = {
  serverNames: ['api.example.com'],
  upstreams: ['127.0.0.1:3001', '127.0.0.1:3002'],
  certificate: '/etc/ssl/fullchain.pem',
  certificateKey: '/etc/ssl/privkey.pem',
};

describe('the trustProxy a generated nginx config needs', () => {
  it('is nginx\'s loopback address when the instances are on this host', () => {
    const { trust } = renderNginxConfig(BASE);
    assert.deepEqual(trust.trustProxy, ['loopback']);
    assert.equal(trust.env, 'loopback');
    assert.deepEqual(trust.notes, []);
  });

  it('is the address list given for remote instances, and a hop count with a warning without one', () => {
    const remote = { ...BASE, upstreams: ['10.0.1.5:3000', '10.0.1.6:3000'] };
    const listed = renderNginxConfig(remote, ['10.0.0.2']).trust;
    assert.deepEqual(listed.trustProxy, ['10.0.0.2']);
    assert.equal(listed.peer, '10.0.0.2');
    const counted = renderNginxConfig(remote).trust;
    assert.equal(counted.trustProxy, 1);
    assert.match(counted.notes[0] ?? '', /any client that can reach an instance directly can name its own IP/);
  });
});

describe('checkTrustProxy: the app setting against the config', () => {
  const { trust } = renderNginxConfig(BASE);

  it('accepts the matching setting', () => {
    assert.deepEqual(checkTrustProxy(trust, ['loopback']), []);
    assert.deepEqual(checkTrustProxy(trust, ['127.0.0.1']), []);
  });

  it('calls out an app that ignores nginx: every client would look like 127.0.0.1', () => {
    const [problem] = checkTrustProxy(trust, false);
    assert.match(problem ?? '', /every client appears as 127\.0\.0\.1/);
    assert.match(checkTrustProxy(trust, ['10.0.0.0/8'])[0] ?? '', /does not believe nginx/);
  });

  it('calls out a hop count, which lets a client that reaches the app directly pick its IP', () => {
    const [problem] = checkTrustProxy(trust, 1);
    assert.match(problem ?? '', /a client reaching an instance directly can choose its IP/);
    assert.equal(checkTrustProxy(trust, 2).length, 1);
  });

  it('accepts a hop count when the config itself can only offer one', () => {
    const remote = renderNginxConfig({ ...BASE, upstreams: ['10.0.1.5:3000'] }).trust;
    assert.deepEqual(checkTrustProxy(remote, 1), []);
    assert.equal(checkTrustProxy(remote, false).length, 1);
  });
});

describe('TRUST_PROXY text', () => {
  it('round-trips false, hop counts and lists, and refuses "true"', () => {
    assert.equal(parseTrustProxy('false'), false);
    assert.equal(parseTrustProxy(''), false);
    assert.equal(parseTrustProxy('2'), 2);
    assert.deepEqual(parseTrustProxy('loopback, 10.0.0.0/8'), ['loopback', '10.0.0.0/8']);
    assert.equal(formatTrustProxy(['loopback', '10.0.0.0/8']), 'loopback,10.0.0.0/8');
    assert.throws(() => parseTrustProxy('true'), { code: 'RAMPART_INVALID_OPTION' });
  });
});
