import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { createClientAddressResolver, DEFAULT_CHECK_TIMEOUT_MS, Keyring } from 'rampart';
import { rampart } from 'rampart/fastify';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_DRAIN_SECONDS, DEFAULT_SHUTDOWN_DELAY_SECONDS } from '../../../src/deploy/systemd.js';
import { parseTrustProxy } from '../../../src/deploy/trust-proxy-match.js';

/**
 * deploy/kubernetes against Rampart's actual behaviour: probe paths answer as
 * the probes assume, the grace period covers the shutdown deadline, secrets
 * arrive as files, and the objects reference each other correctly. (Schema
 * validation against a cluster: `kubectl apply --dry-run=server -k deploy/kubernetes`.)
 */
const dir = new URL('../../../deploy/kubernetes/', import.meta.url).pathname;
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(file: string): Doc[] {
  return parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => {
    assert.deepEqual(document.errors, [], file);
    return document.toJS() as Doc;
  });
}

const kustomization = load('kustomization.yaml')[0] as Doc;
const deployment = load('deployment.yaml')[0] as Doc;
const service = load('service.yaml')[0] as Doc;
const pdb = load('pdb.yaml')[0] as Doc;
const policy = load('networkpolicy.yaml')[0] as Doc;
const monitor = load('servicemonitor.yaml')[0] as Doc;
const pod = deployment['spec']['template']['spec'] as Doc;
const container = pod['containers'][0] as Doc;
const env = Object.fromEntries((container['env'] as { name: string; value: string }[]).map((entry) => [entry.name, entry.value]));
/** Rampart's per-hook timeout during shutdown (lifecycle `hookTimeoutMs`). */
const HOOK_SECONDS = 5;

describe('deploy/kubernetes', () => {
  it('lists only files that exist, and every file parses', () => {
    for (const resource of kustomization['resources'] as string[]) assert.ok(existsSync(join(dir, resource)), resource);
    assert.equal(deployment['kind'], 'Deployment');
  });

  it("gives Rampart's shutdown (delay + drain + a close hook) its whole time before SIGKILL", () => {
    assert.ok(pod['terminationGracePeriodSeconds'] > DEFAULT_SHUTDOWN_DELAY_SECONDS + DEFAULT_DRAIN_SECONDS + HOOK_SECONDS, String(pod['terminationGracePeriodSeconds']));
    assert.equal(container['lifecycle'], undefined, "no preStop sleep: Rampart's own delay covers endpoint propagation");
    assert.deepEqual(deployment['spec']['strategy']['rollingUpdate'], { maxUnavailable: 0, maxSurge: 1 });
  });

  it('probes liveness without dependencies and readiness with them, with a timeout above a check timeout', async () => {
    const liveness = container['livenessProbe']['httpGet'];
    const readiness = container['readinessProbe']['httpGet'];
    assert.equal(container['startupProbe']['httpGet']['path'], liveness['path']);
    assert.ok(container['readinessProbe']['timeoutSeconds'] * 1000 > DEFAULT_CHECK_TIMEOUT_MS);
    // A Rampart app in production whose database check fails: readiness must say so, liveness must not.
    const app = Fastify();
    await app.register(rampart, {
      profile: 'production',
      keyring: new Keyring('k'.repeat(43)),
      log: { level: 'silent' },
      health: { checks: [{ name: 'postgres:connection', run: async () => ({ status: 'fail', output: 'down' }) }] },
    });
    try {
      assert.equal((await app.inject({ url: liveness['path'] })).statusCode, 200);
      assert.equal((await app.inject({ url: readiness['path'] })).statusCode, 503);
    } finally {
      await app.close();
    }
  });

  it('passes secrets as read-only files and runs unprivileged on a read-only root', () => {
    for (const [name, value] of Object.entries(env)) {
      if (/SECRET|TOKEN|PASSWORD|DATABASE_URL/.test(name)) assert.match(name, /_FILE$/, `${name} must be a file, not a value`);
      if (name.endsWith('_FILE')) assert.ok(value.startsWith('/run/secrets/notes/'), name);
    }
    assert.deepEqual(container['volumeMounts'].find((mount: Doc) => mount['name'] === 'secrets'), { name: 'secrets', mountPath: '/run/secrets/notes', readOnly: true });
    assert.equal(pod['volumes'].find((volume: Doc) => volume['name'] === 'secrets')['secret']['defaultMode'], 0o400);
    assert.equal(pod['securityContext']['runAsNonRoot'], true);
    assert.deepEqual(container['securityContext'], { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.equal(env['APP_ENV'], 'production');
  });

  it('trusts only private addresses to forward, and lets only the ingress and Prometheus reach the port', () => {
    const trust = parseTrustProxy(env['TRUST_PROXY'] ?? '');
    const resolve = createClientAddressResolver(trust);
    const header = (headers: Record<string, string>) => (name: string) => headers[name];
    assert.equal(resolve({ remoteAddress: '10.42.0.7', encrypted: false, header: header({ 'x-forwarded-for': '203.0.113.9' }) }).ip, '203.0.113.9');
    assert.equal(resolve({ remoteAddress: '198.51.100.1', encrypted: false, header: header({ 'x-forwarded-for': '203.0.113.9' }) }).ip, '198.51.100.1');
    const sources = (policy['spec']['ingress'][0]['from'] as Doc[]).map((peer) => peer['namespaceSelector']['matchLabels']['kubernetes.io/metadata.name']);
    assert.deepEqual(sources, ['ingress-nginx', 'monitoring']);
    assert.deepEqual(policy['spec']['policyTypes'], ['Ingress']);
  });

  it('wires Service, PodDisruptionBudget, NetworkPolicy and ServiceMonitor to the same pods and port', () => {
    const labels = deployment['spec']['template']['metadata']['labels'];
    for (const selector of [deployment['spec']['selector']['matchLabels'], service['spec']['selector'], pdb['spec']['selector']['matchLabels'], policy['spec']['podSelector']['matchLabels']]) {
      assert.deepEqual(selector, labels);
    }
    const portName = container['ports'][0]['name'];
    assert.equal(service['spec']['ports'][0]['targetPort'], portName);
    assert.equal(policy['spec']['ingress'][0]['ports'][0]['port'], portName);
    assert.equal(monitor['spec']['endpoints'][0]['port'], service['spec']['ports'][0]['name']);
    assert.equal(String(container['ports'][0]['containerPort']), env['PORT']);
    assert.ok(pdb['spec']['minAvailable'] < deployment['spec']['replicas']);
    // The Prometheus job name the alert rules expect.
    assert.match(service['metadata']['labels'][monitor['spec']['jobLabel']], /^rampart(-.+)?$/);
  });
});
