import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;
let dir: string;

function rampart(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'src/cli/main.ts'), 'deploy', ...args], { cwd: root, env: { ...process.env, TRUST_PROXY: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

const NGINX = ['nginx', '--server-name', 'api.example.com', '--upstream', '127.0.0.1:3001', '--upstream', '127.0.0.1:3002', '--cert', '/etc/ssl/a.pem', '--key', '/etc/ssl/a.key', '--nginx-version', '1.22.1'];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-deploy-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rampart deploy (CLI)', () => {
  it('prints the config and the trustProxy setting that matches it', async () => {
    const result = await rampart(NGINX);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^upstream rampart_app \{$/m);
    assert.match(result.stderr, /trustProxy: \["loopback"\] {3}\(TRUST_PROXY=loopback\)/);
  });

  it("calls out an app trustProxy that does not match, and exits 1 (TRUST_PROXY is read too)", async () => {
    const mismatch = await rampart([...NGINX, '--app-trust-proxy', 'false']);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /MISMATCH: With trustProxy false Rampart does not believe nginx/);
    const fromEnv = await rampart(NGINX, { TRUST_PROXY: '1' });
    assert.equal(fromEnv.code, 1);
    assert.match(fromEnv.stderr, /MISMATCH: trustProxy 1 believes X-Forwarded-For from any peer/);
    const matching = await rampart(NGINX, { TRUST_PROXY: 'loopback' });
    assert.equal(matching.code, 0);
    assert.match(matching.stderr, /matches this config/);
  });

  it('writes files with --out and --out-dir', async () => {
    const out = join(dir, 'sites', 'api.conf');
    assert.equal((await rampart([...NGINX, '--out', out])).code, 0);
    assert.match(readFileSync(out, 'utf8'), /server_tokens off;/);
    assert.equal(statSync(out).mode & 0o777, 0o644);
    const units = join(dir, 'units');
    const result = await rampart(['systemd', '--name', 'notes', '--template', '--backup', '--backup-source=--sqlite /var/lib/notes/notes.db', '--out-dir', units]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readdirSync(units).sort(), ['notes-backup.service', 'notes-backup.timer', 'notes@.service']);
  });

  it('exits 64 on usage errors and 1 on invalid values, naming the problem', async () => {
    const missing = await rampart(['nginx', '--server-name', 'a.example']);
    assert.equal(missing.code, 64);
    assert.match(missing.stderr, /missing --upstream, --cert, --key/);
    assert.equal((await rampart(['nginx', '--frobnicate'])).code, 64);
    assert.equal((await rampart(['teleport'])).code, 64);
    const invalid = await rampart([...NGINX, '--server-name', 'evil;include']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /Invalid option "serverNames\[1\]"/);
  });
});
