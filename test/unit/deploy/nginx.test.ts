import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, PROBLEM_CODES } from 'rampart';
import { renderNginxConfig } from '../../../src/deploy/nginx.js';
import type { NginxOptions } from '../../../src/deploy/nginx-options.js';
import { TLS_CIPHERS } from '../../../src/deploy/tls-profile.js';

const BASE: NginxOptions = {
  serverNames: ['api.example.com', 'www.example.com'],
  upstreams: ['127.0.0.1:3001', '127.0.0.1:3002'],
  certificate: '/etc/ssl/fullchain.pem',
  certificateKey: '/etc/ssl/privkey.pem',
};

/** The server blocks of a config, in order. */
function servers(text: string): string[] {
  return text.split(/\n(?=server \{)/).slice(1);
}

describe('rampart deploy nginx: the generated config', () => {
  const { text } = renderNginxConfig(BASE);
  const [refuseHttp = '', refuseHttps = '', redirect = '', https = ''] = servers(text);

  it('redirects plain HTTP for our names to HTTPS, and refuses unknown host names on both ports', () => {
    assert.match(refuseHttp, /listen 0\.0\.0\.0:80 default_server;\n\s+listen \[::\]:80 default_server;[\s\S]*?return 444;/);
    assert.match(refuseHttps, /listen 0\.0\.0\.0:443 ssl http2 default_server;[\s\S]*?ssl_reject_handshake on;/);
    assert.match(redirect, /listen 0\.0\.0\.0:80;\n\s+listen \[::\]:80;\n\s+server_name api\.example\.com www\.example\.com;/);
    assert.match(redirect, /location \/ \{ return 301 https:\/\/\$host\$request_uri; \}/);
    assert.match(https, /listen 0\.0\.0\.0:443 ssl http2;\n\s+listen \[::\]:443 ssl http2;\n\s+server_name api\.example\.com www\.example\.com;/);
  });

  it("uses Mozilla's intermediate TLS profile: TLS 1.2 and 1.3, forward-secret AEAD suites, no session tickets", () => {
    assert.match(https, /ssl_protocols TLSv1\.2 TLSv1\.3;/);
    assert.ok(https.includes(`ssl_ciphers ${TLS_CIPHERS};`));
    for (const weak of ['CBC', 'RC4', '3DES', 'SHA1', 'MD5']) assert.ok(!TLS_CIPHERS.includes(weak), weak);
    assert.ok(TLS_CIPHERS.split(':').every((suite) => /^(ECDHE|DHE)-/.test(suite) && /(GCM|POLY1305)/.test(suite)));
    assert.match(https, /ssl_prefer_server_ciphers off;/);
    assert.match(https, /ssl_session_tickets off;/);
    assert.doesNotMatch(text, /ssl_stapling/, 'no stapling without a chain');
  });

  it('sends one HSTS header, its own, on every HTTPS response including its error pages', () => {
    assert.match(https, /add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;/);
    assert.match(https, /proxy_hide_header Strict-Transport-Security;/);
    const pages = https.split('location = /__rampart_error/').slice(1);
    assert.equal(pages.length, 6);
    for (const page of pages) assert.match(page, /add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;/);
  });

  it('hides the nginx version everywhere', () => {
    assert.equal(servers(text).length, 4);
    for (const server of servers(text)) assert.match(server, /server_tokens off;/);
  });

  it('passes exactly one, verified client address and drops what the client claimed', () => {
    assert.match(https, /proxy_set_header X-Forwarded-For \$remote_addr;/);
    assert.match(https, /proxy_set_header Forwarded "";/, 'a client-sent Forwarded header would win over X-Forwarded-For in Rampart');
    assert.match(https, /proxy_set_header X-Real-IP \$remote_addr;/);
    assert.match(https, /proxy_set_header X-Forwarded-Proto \$scheme;/);
    assert.doesNotMatch(text, /proxy_add_x_forwarded_for/);
  });

  it('keeps a safe inbound request id, mints one otherwise, and sends it upstream and on its own errors', () => {
    assert.match(text, /map \$http_x_request_id \$rampart_request_id \{\n\s+default \$request_id;\n\s+"~\^\[A-Za-z0-9\._:-\]\{1,128\}\$" \$http_x_request_id;/);
    assert.match(https, /proxy_set_header X-Request-ID \$rampart_request_id;/);
  });

  it("matches Rampart's limits and keeps connections to the instances alive", () => {
    assert.match(https, /client_max_body_size 1m;/);
    assert.equal(DEFAULT_LIMITS.bodyBytes, 1024 * 1024, "nginx's default follows Rampart's body limit");
    assert.match(https, /large_client_header_buffers 4 16k;/);
    assert.match(text, /upstream rampart_app \{[\s\S]*?server 127\.0\.0\.1:3001 max_fails=1 fail_timeout=10s;[\s\S]*?keepalive 32;\n\s+keepalive_timeout 30s;/);
    assert.match(https, /proxy_http_version 1\.1;/);
    assert.match(https, /proxy_set_header Connection \$rampart_connection;/);
    assert.match(https, /proxy_next_upstream error timeout http_502 http_503 http_504;/);
    assert.match(https, /proxy_next_upstream_tries 2;/);
    assert.equal(renderNginxConfig({ ...BASE, bodyLimit: '512k' }).text.match(/client_max_body_size (\S+);/)?.[1], '512k');
    assert.equal(renderNginxConfig({ ...BASE, bodyLimit: 10_000 }).text.match(/client_max_body_size (\S+);/)?.[1], '10000');
  });

  it("answers its own rejections with Rampart's problem documents", () => {
    for (const [code, status] of [['PAYLOAD_TOO_LARGE', 413], ['URI_TOO_LONG', 414], ['HEADERS_TOO_LARGE', 431], ['RATE_LIMITED', 429], ['SERVICE_UNAVAILABLE', 503], ['NOT_FOUND', 404]] as const) {
      const body = new RegExp(`return ${status} '(\\{.*"code":"${code}".*\\})';`).exec(https)?.[1];
      assert.ok(body !== undefined, code);
      const document = JSON.parse(body.replace('$rampart_request_id', 'abc')) as Record<string, unknown>;
      assert.deepEqual(document, {
        type: `urn:rampart:problem:${code.toLowerCase().replaceAll('_', '-')}`,
        title: PROBLEM_CODES[code].title,
        status,
        detail: PROBLEM_CODES[code].detail,
        code,
        requestId: 'abc',
      });
    }
    assert.match(https, /error_page 502 503 504 =503 \/__rampart_error\/service-unavailable;/);
    assert.match(https, /error_page 494 =431 \/__rampart_error\/headers-too-large;/);
  });

  it('keeps operator endpoints off the edge', () => {
    assert.match(https, /location = \/metrics \{ return 404; \}\n\s+location = \/status \{ return 404; \}/);
    assert.doesNotMatch(renderNginxConfig({ ...BASE, hiddenPaths: [] }).text, /location = \/metrics/);
    assert.throws(() => renderNginxConfig({ ...BASE, hiddenPaths: ['metrics'] }), { code: 'RAMPART_INVALID_OPTION' });
  });

  it('adds an edge rate limit, OCSP stapling, a load balancer and certbot only when asked', () => {
    const full = renderNginxConfig({
      ...BASE,
      rateLimit: { perSecond: 20 },
      trustedCertificate: '/etc/ssl/chain.pem',
      resolvers: ['127.0.0.53'],
      realIpFrom: ['10.0.0.0/8'],
      acmeRoot: '/var/www/acme',
      dhparam: '/etc/ssl/ffdhe2048.pem',
    }).text;
    assert.match(full, /limit_req_zone \$binary_remote_addr zone=rampart_per_ip:10m rate=20r\/s;/);
    assert.match(full, /limit_req zone=rampart_per_ip burst=40 nodelay;\n\s+limit_req_status 429;/);
    assert.match(full, /ssl_stapling on;\n\s+ssl_stapling_verify on;\n\s+ssl_trusted_certificate \/etc\/ssl\/chain\.pem;\n\s+resolver 127\.0\.0\.53 valid=300s;/);
    assert.match(full, /set_real_ip_from 10\.0\.0\.0\/8;\n\s+real_ip_header X-Forwarded-For;\n\s+real_ip_recursive on;/);
    assert.match(full, /location \/\.well-known\/acme-challenge\/ \{ root \/var\/www\/acme; \}/);
    assert.match(full, /ssl_dhparam \/etc\/ssl\/ffdhe2048\.pem;/);
    for (const absent of ['limit_req', 'set_real_ip_from', 'acme-challenge', 'ssl_dhparam']) assert.ok(!text.includes(absent), absent);
  });

  it('writes the http2 syntax of the nginx version it targets', () => {
    assert.match(renderNginxConfig({ ...BASE, nginxVersion: '1.22.1' }).text, /listen 0\.0\.0\.0:443 ssl http2;/);
    const modern = renderNginxConfig({ ...BASE, nginxVersion: '1.26.3' }).text;
    assert.match(modern, /listen \[::\]:443 ssl;\n\s+http2 on;/);
    assert.doesNotMatch(modern, /ssl http2/);
    const old = renderNginxConfig({ ...BASE, nginxVersion: '1.18.0' });
    assert.doesNotMatch(old.text, /ssl_reject_handshake/);
    assert.ok(old.notes.some((note) => note.includes('ssl_reject_handshake')));
  });

  it('includes the port in the redirect when HTTPS is not on 443, and can omit plain HTTP', () => {
    assert.match(renderNginxConfig({ ...BASE, httpsPort: 8443, httpPort: 8080 }).text, /return 301 https:\/\/\$host:8443\$request_uri;/);
    assert.doesNotMatch(renderNginxConfig({ ...BASE, httpPort: false }).text, /return 301|return 444/);
  });

  it('writes a whole nginx.conf with every path under the prefix when standalone', () => {
    const standalone = renderNginxConfig({ ...BASE, standalone: { prefix: '/srv/edge' } }).text;
    assert.match(standalone, /^pid \/srv\/edge\/nginx\.pid;$/m);
    assert.match(standalone, /^error_log \/srv\/edge\/error\.log warn;$/m);
    assert.match(standalone, /access_log \/srv\/edge\/access\.log rampart_json;/);
    for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) assert.ok(standalone.includes(`${temp}_temp_path /srv/edge/${temp}_temp;`), temp);
    assert.match(standalone, /^events \{\n {4}worker_connections 1024;\n\}\n\nhttp \{$/m);
    assert.ok(standalone.trimEnd().endsWith('    }\n}'));
  });

  it('names the matching trustProxy in the file and the result', () => {
    const config = renderNginxConfig(BASE);
    assert.deepEqual(config.trust.trustProxy, ['loopback']);
    assert.match(config.text, /trustProxy: \["loopback"\] {4}\(environment: TRUST_PROXY=loopback\)/);
  });
});

describe('rampart deploy nginx: option validation', () => {
  const rejects = (options: Partial<NginxOptions>, option: string): void => {
    assert.throws(
      () => renderNginxConfig({ ...BASE, ...options } as NginxOptions),
      (error: Error & { code?: string }) => error.code === 'RAMPART_INVALID_OPTION' && error.message.includes(`"${option}`),
    );
  };

  it('refuses values that would inject configuration', () => {
    rejects({ serverNames: ['example.com; include /etc/shadow'] }, 'serverNames[0]');
    rejects({ certificate: '/etc/ssl/a.pem;\n}\nserver {' }, 'certificate');
    rejects({ upstreams: ['127.0.0.1:3000 backup'] }, 'upstreams[0]');
    rejects({ acmeRoot: '/var/www/$host' }, 'acmeRoot');
    rejects({ problemTypeBase: "https://x/'; return 200 'owned" }, 'problemTypeBase');
    rejects({ name: 'Bad-Name' }, 'name');
  });

  it('refuses malformed values with the option named', () => {
    rejects({ serverNames: [] }, 'serverNames');
    rejects({ upstreams: ['127.0.0.1'] }, 'upstreams[0]');
    rejects({ upstreams: ['127.0.0.1:70000'] }, 'upstreams[0]');
    rejects({ certificate: 'relative/cert.pem' }, 'certificate');
    rejects({ httpsPort: 0 }, 'httpsPort');
    rejects({ httpPort: 443 }, 'httpPort');
    rejects({ bodyLimit: 'lots' }, 'bodyLimit');
    rejects({ realIpFrom: ['10.0.0.0/33'] }, 'realIpFrom[0]');
    rejects({ hsts: { preload: true, includeSubDomains: false } }, 'hsts.preload');
    rejects({ nginxVersion: 'latest' }, 'nginxVersion');
  });

  it('accepts IPv6 and unix-socket upstreams', () => {
    assert.match(renderNginxConfig({ ...BASE, upstreams: ['[::1]:3000'] }).text, /server \[::1\]:3000 /);
    const unix = renderNginxConfig({ ...BASE, upstreams: ['unix:/run/app/app.sock'] });
    assert.match(unix.text, /server unix:\/run\/app\/app\.sock /);
    assert.equal(unix.trust.trustProxy, 1);
  });
});
