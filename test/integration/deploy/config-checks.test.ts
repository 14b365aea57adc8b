import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderNginxConfig } from '../../../src/deploy/nginx.js';
import type { NginxOptions } from '../../../src/deploy/nginx-options.js';
import { renderSystemdUnits, type SystemdOptions } from '../../../src/deploy/systemd.js';
import { makeTestPki, type TestPki } from './tls.js';
import { requireTool } from './tools.js';

/**
 * The generated files, checked by the tools that will run them: `nginx -t`
 * (Debian's nginx) and `systemd-analyze verify`. Where systemd-analyze is
 * missing (containers without systemd), the unit is parse-checked instead.
 */
let dir: string;
let pki: TestPki;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-deploy-'));
  pki = makeTestPki(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function installedNginxVersion(): string {
  const { stderr } = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  return /nginx\/(\d+\.\d+\.\d+)/.exec(stderr)?.[1] ?? '1.22.0';
}

function nginxTest(name: string, options: Omit<NginxOptions, 'certificate' | 'certificateKey' | 'standalone'>): { ok: boolean; output: string } {
  const prefix = join(dir, name);
  mkdirSync(prefix);
  const { text } = renderNginxConfig({ ...options, certificate: pki.certFile, certificateKey: pki.keyFile, standalone: { prefix }, nginxVersion: installedNginxVersion() });
  writeFileSync(join(prefix, 'nginx.conf'), text);
  const result = spawnSync('nginx', ['-t', '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { encoding: 'utf8' });
  return { ok: result.status === 0, output: result.stderr };
}

describe('nginx -t accepts every generated variant', () => {
  const base = { serverNames: ['localhost'], upstreams: ['127.0.0.1:3001', '127.0.0.1:3002'], listen: ['127.0.0.1'], httpsPort: 18443, httpPort: 18080 };

  it('the default config', (t) => {
    if (!requireTool(t, 'nginx', 'nginx')) return;
    const result = nginxTest('default', base);
    assert.ok(result.ok, result.output);
    assert.doesNotMatch(result.output, /\[warn\]|\[emerg\]/);
  });

  it('with OCSP stapling, DHE, an edge rate limit, a load balancer, certbot and IPv6/unix upstreams', (t) => {
    if (!requireTool(t, 'nginx', 'nginx')) return;
    const dhparam = join(dir, 'ffdhe2048.pem');
    execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'dh_param:ffdhe2048', '-out', dhparam], { stdio: 'pipe' });
    const result = nginxTest('full', {
      ...base,
      upstreams: ['127.0.0.1:3001', '[::1]:3002', 'unix:/run/rampart-test.sock'],
      trustedCertificate: pki.chainFile,
      resolvers: ['127.0.0.53'],
      dhparam,
      rateLimit: { perSecond: 50, burst: 100 },
      realIpFrom: ['10.0.0.0/8', 'fd00::/8'],
      acmeRoot: dir,
      hsts: { maxAge: 63_072_000, includeSubDomains: true, preload: true },
      bodyLimit: '8m',
      name: 'notes',
    });
    // The test CA names no OCSP responder, so nginx warns that stapling is ignored: that warning is expected.
    assert.ok(result.ok, result.output);
    assert.doesNotMatch(result.output.replace(/.*"ssl_stapling" ignored.*\n?/g, ''), /\[warn\]|\[emerg\]/);
  });

  it('two sites side by side in one nginx, thanks to the name prefix', (t) => {
    if (!requireTool(t, 'nginx', 'nginx')) return;
    const prefix = join(dir, 'two-sites');
    mkdirSync(prefix);
    const common = { certificate: pki.certFile, certificateKey: pki.keyFile, nginxVersion: installedNginxVersion(), listen: ['127.0.0.1'], httpPort: false as const };
    const one = renderNginxConfig({ ...common, serverNames: ['localhost'], upstreams: ['127.0.0.1:3001'], httpsPort: 18443, name: 'one', accessLog: join(prefix, 'one.log') }).text;
    const two = renderNginxConfig({ ...common, serverNames: ['example.test'], upstreams: ['127.0.0.1:4001'], httpsPort: 28443, name: 'two', accessLog: join(prefix, 'two.log') }).text;
    writeFileSync(join(prefix, 'one.conf'), one);
    writeFileSync(join(prefix, 'two.conf'), two);
    writeFileSync(join(prefix, 'nginx.conf'), `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log;\nevents {}\nhttp {\n  proxy_temp_path ${prefix}/proxy_temp;\n  client_body_temp_path ${prefix}/body_temp;\n  include ${prefix}/one.conf;\n  include ${prefix}/two.conf;\n}\n`);
    const result = spawnSync('nginx', ['-t', '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it('and rejects a broken one, so the checks above can fail', (t) => {
    if (!requireTool(t, 'nginx', 'nginx')) return;
    const result = nginxTest('broken', { ...base, upstreams: ['127.0.0.1:3001'] });
    assert.ok(result.ok);
    const prefix = join(dir, 'broken');
    writeFileSync(join(prefix, 'nginx.conf'), renderNginxConfig({ ...base, certificate: join(dir, 'missing.pem'), certificateKey: pki.keyFile, standalone: { prefix } }).text);
    const broken = spawnSync('nginx', ['-t', '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { encoding: 'utf8' });
    assert.notEqual(broken.status, 0);
    assert.match(broken.stderr, /missing\.pem/);
  });
});

describe('systemd units pass systemd-analyze verify', () => {
  const variants: Record<string, SystemdOptions> = {
    single: { name: 'notes', execStart: `${process.execPath} dist/main.js`, after: ['postgresql.service'], credentials: ['SECRET_KEY', 'DATABASE_URL'] },
    template: { name: 'notes', execStart: `${process.execPath} dist/main.js`, template: true },
    privileged: { name: 'web', execStart: `${process.execPath} dist/main.js`, port: 443, dataDirectory: '/srv/web' },
    backup: { name: 'notes', execStart: `${process.execPath} dist/main.js`, backup: { source: '--sqlite /var/lib/notes/notes.db', rampart: `${process.execPath} node_modules/.bin/rampart` } },
  };

  for (const [name, options] of Object.entries(variants)) {
    it(name, () => {
      const unitDir = join(dir, `systemd-${name}`);
      mkdirSync(unitDir);
      const { files } = renderSystemdUnits(options);
      for (const file of files) writeFileSync(join(unitDir, file.name), file.text);
      const paths = files.filter((file) => !file.name.includes('@')).map((file) => join(unitDir, file.name));
      if (spawnSync('sh', ['-c', 'command -v systemd-analyze'], { stdio: 'ignore' }).status !== 0) {
        if (process.env['CI'] === 'true') throw new Error('systemd-analyze is missing (Debian: apt-get install systemd)');
        console.warn('\n!!! systemd-analyze is missing: parse-checking the units instead of verifying them\n');
        for (const file of files) parseCheck(file.text);
        return;
      }
      // A template cannot be verified as such: verify an instance of it.
      for (const file of files.filter((candidate) => candidate.name.includes('@'))) {
        const instance = join(unitDir, file.name.replace('@', '@3001'));
        writeFileSync(instance, file.text.replaceAll('%i', '3001'));
        paths.push(instance);
      }
      const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...paths], { encoding: 'utf8', cwd: unitDir });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr.trim(), '', 'no warnings either (unknown keys, bad values)');
      const service = paths[0] as string;
      const security = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', service], { encoding: 'utf8', cwd: unitDir });
      const exposure = Number(/Overall exposure level for .*: (\d+\.\d+)/.exec(security.stdout)?.[1]);
      // systemd rates 0–10; below 2 is "OK", the best band.
      assert.ok(exposure < 2, `exposure ${exposure}\n${security.stdout.slice(-400)}`);
    });
  }

  it('and systemd-analyze flags a broken unit, so the checks above can fail', (t) => {
    if (!requireTool(t, 'systemd-analyze', 'systemd')) return;
    const file = join(dir, 'broken.service');
    writeFileSync(file, '[Service]\nExecStart=/nonexistent/node main.js\nProtectSystem=sideways\n');
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8' });
    assert.match(result.stderr, /sideways|not executable/);
  });
});

/** The fallback: sections and Key=value lines only, every key known to the section. */
function parseCheck(text: string): void {
  let section = '';
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(Unit|Service|Install|Timer)\]$/.exec(line);
    if (header !== null) {
      section = header[1] as string;
      continue;
    }
    assert.match(line, /^[A-Z][A-Za-z]+=/, `not a Key=value line in [${section}]: ${line}`);
    assert.notEqual(section, '', `a setting outside any section: ${line}`);
  }
}
