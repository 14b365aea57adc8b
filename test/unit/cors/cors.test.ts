import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RampartError, createRampart, type HeaderOps, type RampartOptions, type RequestView } from 'rampart';

const SILENT = { log: { level: 'silent' as const } };

function invalid(options: RampartOptions, option: string): void {
  assert.throws(() => createRampart({ ...SILENT, ...options }), (error: unknown) => error instanceof RampartError && error.message.includes(option), option);
}

/** A response as a plain header map, with append for Set-Cookie as adapters provide it. */
const OPS: HeaderOps<Map<string, string | string[]>> = {
  get: (map, name) => map.get(name),
  set: (map, name, value) => void map.set(name, value),
  remove: (map, name) => void map.delete(name),
  append: (map, name, value) => {
    const existing = map.get(name);
    map.set(name, existing === undefined ? [value] : [...(Array.isArray(existing) ? existing : [existing]), value]);
  },
};

function view(headers: Record<string, string>): RequestView {
  return { method: 'GET', url: '/', remoteAddress: '127.0.0.1', encrypted: false, header: (name) => headers[name] };
}

describe('CORS options', () => {
  it('refuses "*" with credentials, an empty allowlist and bad values', () => {
    invalid({ cors: { origins: '*', credentials: true } }, 'cors.origins');
    invalid({ cors: { origins: [] } }, 'cors.origins');
    invalid({ cors: { origins: ['https://a.example', '*'] } }, 'cors.origins[]');
    invalid({ cors: { origins: ['https://a.example'], maxAge: 90_000 } }, 'cors.maxAge');
    invalid({ cors: { origins: ['https://a.example'], methods: ['GET POST'] } }, 'cors.methods');
    invalid({ cors: { origins: ['https://a.example'], credentials: 'yes' as unknown as boolean } }, 'cors.credentials');
  });
});

describe('queued response headers', () => {
  it("adds Origin to the handler's Vary instead of replacing it", async () => {
    const rampart = createRampart({ ...SILENT, cors: { origins: ['https://a.example'] } });
    const request = view({ origin: 'https://a.example' });
    const state = rampart.begin(request);
    await rampart.admit(state, request);
    const response = new Map<string, string | string[]>([['vary', 'Accept-Encoding']]);
    rampart.applyHeaders(state, response, OPS);
    assert.equal(response.get('vary'), 'Accept-Encoding, Origin');
    const already = new Map<string, string | string[]>([['vary', 'origin, Accept']]);
    rampart.applyHeaders(state, already, OPS);
    assert.equal(already.get('vary'), 'origin, Accept');
  });

  it("appends a queued Set-Cookie to the handler's own", () => {
    const rampart = createRampart({ ...SILENT, profile: 'production' });
    const state = rampart.begin(view({}));
    state.addResponseHeader('set-cookie', '__Host-csrf=abc; Path=/');
    const response = new Map<string, string | string[]>([['set-cookie', '__Host-session=s; Path=/']]);
    rampart.applyHeaders(state, response, OPS);
    assert.deepEqual(response.get('set-cookie'), ['__Host-session=s; Path=/', '__Host-csrf=abc; Path=/']);
  });
});
