import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { timeOrderedId } from '../../examples/service/db/time-ordered-id.js';

describe('time-ordered note ids', () => {
  it('sort in the order they were made, many to a millisecond, as RFC 9562 version-7 UUIDs', () => {
    const started = Date.now();
    const ids = Array.from({ length: 20_000 }, () => timeOrderedId());
    for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as string) < (ids[i] as string), `${ids[i - 1]} then ${ids[i]}`);
    // 20k ids in a few milliseconds: the counter, not the clock, ordered most of them.
    const millis = new Set(ids.map((id) => id.slice(0, 13)));
    assert.ok(millis.size < ids.length / 2, `${millis.size} distinct milliseconds`);
    const uuid = z.uuid();
    for (const id of [ids[0], ids[ids.length - 1]]) {
      assert.ok(uuid.safeParse(id).success, String(id));
      assert.equal(id?.[14], '7');
      assert.match(String(id?.[19]), /[89ab]/);
    }
    // The time in the first 48 bits is when the id was made (or, with the counter spent, a millisecond or so after).
    const ms = Number.parseInt((ids[0] as string).replace(/-/g, '').slice(0, 12), 16);
    assert.ok(ms >= started && ms <= Date.now() + 50, `${ms} vs ${started}`);
  });
});
