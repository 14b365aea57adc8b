import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { Keyring } from 'rampart';

const CURRENT = 'current-master-secret-0123456789abcdef';
const OLD = 'previous-master-secret-0123456789abcdef';

describe('Keyring', () => {
  it('derives a distinct key per purpose', () => {
    const keyring = new Keyring(CURRENT);
    assert.notDeepEqual(keyring.keys('csrf')[0], keyring.keys('cookie')[0]);
    assert.notEqual(keyring.sign('csrf', 'm'), keyring.sign('cookie', 'm'));
  });

  it('verifies its own MACs and rejects tampering', () => {
    const keyring = new Keyring(CURRENT);
    const mac = keyring.sign('cookie', 'session=1');
    assert.equal(keyring.verify('cookie', 'session=1', mac), 'current');
    assert.equal(keyring.verify('cookie', 'session=2', mac), false);
    assert.equal(keyring.verify('csrf', 'session=1', mac), false);
    assert.equal(keyring.verify('cookie', 'session=1', 'short'), false);
  });

  it('keeps MACs from a previous secret valid after rotation, and signs with the new one', () => {
    const before = new Keyring(OLD);
    const oldMac = before.sign('cookie', 'v');
    const after = new Keyring(CURRENT, [OLD]);
    assert.equal(after.verify('cookie', 'v', oldMac), 'previous');
    assert.equal(after.verify('cookie', 'v', after.sign('cookie', 'v')), 'current');
    assert.notEqual(after.sign('cookie', 'v'), oldMac);
    assert.equal(new Keyring(CURRENT).verify('cookie', 'v', oldMac), false, 'dropped secrets stop verifying');
  });

  it('never prints its secrets', () => {
    const keyring = new Keyring(CURRENT, [OLD]);
    const outputs = [JSON.stringify({ keyring }), inspect(keyring), String(inspect({ keyring }, { depth: 5 }))];
    for (const output of outputs) assert.ok(!output.includes(CURRENT) && !output.includes(OLD), output);
  });

  it('refuses short secrets without echoing them', () => {
    assert.throws(() => new Keyring('short-secret'), (error: Error) => /secret/.test(error.message) && !error.message.includes('short-secret'));
  });
});
