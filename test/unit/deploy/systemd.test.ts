import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DRAIN_SECONDS, DEFAULT_SHUTDOWN_DELAY_SECONDS, renderSystemdUnits, type SystemdOptions } from '../../../src/deploy/systemd.js';

function unit(options: SystemdOptions): string {
  return renderSystemdUnits(options).files[0]?.text ?? '';
}

/** `Key=value` lines of a unit, in order (repeated keys kept). */
function entries(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
}

function value(text: string, key: string): string | undefined {
  return entries(text).find(([name]) => name === key)?.[1];
}

describe('rampart deploy systemd', () => {
  const text = unit({ name: 'notes' });

  it('sandboxes the service', () => {
    for (const [key, expected] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['AmbientCapabilities', ''],
      ['RestrictSUIDSGID', 'yes'],
      ['SystemCallFilter', '@system-service'],
      ['UMask', '0077'],
      ['User', 'notes'],
    ] as const) {
      assert.equal(value(text, key), expected, key);
    }
    assert.equal(value(text, 'ReadWritePaths'), '/var/lib/notes');
    assert.equal(value(text, 'StateDirectory'), 'notes');
    // V8's JIT writes and then executes code pages: this setting would kill node on its first compile.
    assert.equal(value(text, 'MemoryDenyWriteExecute'), undefined);
  });

  it('passes secrets as credentials read through NAME_FILE, never as environment values', () => {
    const withDatabase = unit({ name: 'notes', credentials: ['SECRET_KEY', 'DATABASE_URL'] });
    const lines = entries(withDatabase);
    assert.deepEqual(
      lines.filter(([key]) => key === 'LoadCredential').map(([, v]) => v),
      ['SECRET_KEY:/etc/notes/credentials/SECRET_KEY', 'DATABASE_URL:/etc/notes/credentials/DATABASE_URL'],
    );
    const environment = lines.filter(([key]) => key === 'Environment').map(([, v]) => v);
    assert.ok(environment.includes('SECRET_KEY_FILE=%d/SECRET_KEY'));
    assert.ok(environment.includes('DATABASE_URL_FILE=%d/DATABASE_URL'));
    assert.ok(!environment.some((entry) => entry.startsWith('SECRET_KEY=') || entry.startsWith('DATABASE_URL=')));
    assert.equal(value(withDatabase, 'EnvironmentFile'), '/etc/notes/notes.env');
  });

  it("gives Rampart's shutdown its whole deadline before SIGKILL", () => {
    const seconds = Number(value(text, 'TimeoutStopSec')?.replace(/s$/, ''));
    assert.ok(seconds > DEFAULT_SHUTDOWN_DELAY_SECONDS + DEFAULT_DRAIN_SECONDS, `TimeoutStopSec=${seconds}`);
    assert.equal(value(text, 'KillSignal'), 'SIGTERM');
    const longer = unit({ name: 'notes', shutdownDelaySeconds: 10, drainSeconds: 60 });
    assert.ok(Number(value(longer, 'TimeoutStopSec')?.replace(/s$/, '')) > 70);
  });

  it('makes a template whose instance name is the port, for several instances behind nginx', () => {
    const { files } = renderSystemdUnits({ name: 'notes', template: true });
    assert.equal(files[0]?.name, 'notes@.service');
    assert.ok(entries(files[0]?.text ?? '').some(([key, v]) => key === 'Environment' && v === 'PORT=%i'));
  });

  it('grants exactly CAP_NET_BIND_SERVICE, and only for a port below 1024', () => {
    const low = unit({ name: 'web', port: 443 });
    assert.equal(value(low, 'CapabilityBoundingSet'), 'CAP_NET_BIND_SERVICE');
    assert.equal(value(low, 'AmbientCapabilities'), 'CAP_NET_BIND_SERVICE');
  });

  it('adds a backup service and timer that verify every backup and prune old ones', () => {
    const { files } = renderSystemdUnits({ name: 'notes', backup: { source: '--sqlite /var/lib/notes/notes.db' } });
    assert.deepEqual(files.map((file) => file.name), ['notes.service', 'notes-backup.service', 'notes-backup.timer']);
    const service = files[1]?.text ?? '';
    const commands = entries(service).filter(([key]) => key === 'ExecStart').map(([, v]) => v);
    assert.deepEqual(commands, [
      '/usr/bin/node node_modules/.bin/rampart backup create --sqlite /var/lib/notes/notes.db --dir /var/backups/notes --verify',
      '/usr/bin/node node_modules/.bin/rampart backup prune --dir /var/backups/notes --keep-days 14 --keep-last 7',
    ]);
    assert.equal(value(files[2]?.text ?? '', 'OnCalendar'), 'daily');
    assert.equal(value(files[2]?.text ?? '', 'Persistent'), 'true');
  });

  it('refuses values that would add directives or break out of a line', () => {
    for (const options of [
      { name: 'Notes' },
      { name: 'notes', description: 'x\nExecStartPre=/bin/sh -c "curl evil"' },
      { name: 'notes', execStart: 'node main.js' },
      { name: 'notes', credentials: ['secret key'] },
      { name: 'notes', workingDirectory: '/opt/my app' },
      { name: 'notes', port: 70000 },
      { name: 'notes', after: ['evil\nUser=root'] },
    ] as SystemdOptions[]) {
      assert.throws(() => renderSystemdUnits(options), { code: 'RAMPART_INVALID_OPTION' }, JSON.stringify(options));
    }
  });
});
