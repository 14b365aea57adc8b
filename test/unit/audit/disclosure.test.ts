import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findLeaks } from '../../../src/audit/checks/disclosure.js';

const kinds = (body: string): string[] => findLeaks(body).map((leak) => leak.kind);

describe('error-page disclosure patterns', () => {
  it('finds stack traces of the usual platforms', () => {
    assert.deepEqual(kinds('Error: boom\n    at Object.handler (/srv/app/dist/routes.js:12:7)').slice(0, 1), ['stack-trace']);
    assert.ok(kinds('{"stack":"TypeError: x\\n    at handler (file:///app/src/a.mjs:3:9)"}').includes('stack-trace'), 'a JSON-escaped Node stack');
    assert.ok(kinds('Traceback (most recent call last):\n  File "/app/main.py", line 3, in <module>').includes('stack-trace'));
    assert.ok(kinds('java.lang.NullPointerException\n\tat com.example.Api.get(Api.java:42)').includes('stack-trace'));
    assert.ok(kinds('<b>Fatal error</b>: Uncaught Exception in /var/www/index.php on line <b>7</b>').includes('stack-trace'));
    assert.ok(kinds('goroutine 1 [running]:\nmain.main()').includes('stack-trace'));
  });

  it('finds server paths, framework fingerprints and raw parser messages', () => {
    assert.ok(kinds('ENOENT: no such file, open /home/deploy/app/views/x.html').includes('file-path'));
    assert.ok(kinds('at C:\\inetpub\\wwwroot\\app\\').includes('file-path'));
    assert.ok(kinds('<pre>Cannot GET /missing</pre>').includes('framework'));
    assert.ok(kinds('{"code":"FST_ERR_CTP_INVALID_JSON_BODY"}').includes('framework'));
    assert.ok(kinds('{"message":"Route GET:/missing not found"}').includes('framework'));
    assert.ok(kinds('<address>Apache/2.4.57 (Debian) Server at example.test Port 80</address>').includes('framework'));
    assert.ok(kinds('Unexpected end of JSON input').includes('library-message'));
    assert.ok(kinds('PayloadTooLargeError: request entity too large').includes('library-message'));
  });

  it('leaves a generic problem document alone', () => {
    const problem = JSON.stringify({
      type: 'urn:rampart:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'The requested resource was not found.',
      instance: '/rampart-audit-0a1b2c3d4e5f',
      code: 'NOT_FOUND',
      requestId: 'rampart-audit-0a1b2c3d4e5f',
    });
    assert.deepEqual(findLeaks(problem), []);
    assert.deepEqual(findLeaks('{"type":"urn:rampart:problem:malformed-json","title":"Bad Request","status":400,"detail":"The request body is not valid JSON.","instance":"/api/notes"}'), []);
    assert.deepEqual(findLeaks('<h1>Not Found</h1><p>Try the home page.</p>'), []);
  });
});
