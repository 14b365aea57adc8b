import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562 §5.7, with §6.2's counter): the time in milliseconds,
 * a 12-bit counter, then random bits. Ids this process makes later sort
 * later, even within one millisecond, so "newest first" lists break ties
 * between rows created in the same millisecond in the order they were made
 * (a random UUIDv4 broke them at random). Across instances, rows of the same
 * millisecond still sort in no particular order.
 */
export function timeOrderedId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = randomBytes(2).readUInt16BE() & 0x7ff; // a random start in the lower half leaves room to count
  } else if (++counter > 0xfff) {
    lastMs++; // the counter is spent: borrow the next millisecond (§6.2)
    counter = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
