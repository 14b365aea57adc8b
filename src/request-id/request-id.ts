import { randomUUID } from 'node:crypto';

/** At most 128 characters of a safe charset, so an inbound id can be logged and echoed without escaping. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id to use: the inbound one when it is safe, otherwise a new one.
 * An unsafe inbound value is replaced, never echoed or logged.
 *
 * New ids are UUID v4 from `crypto.randomUUID()`: Node draws them from a
 * pre-filled entropy cache, so they cost far less than a UUID v7 assembled in
 * JavaScript, and log lines already carry the time v7 would encode.
 */
export function resolveRequestId(inbound: string | undefined): string {
  return inbound !== undefined && SAFE_REQUEST_ID.test(inbound) ? inbound : randomUUID();
}

export function isSafeRequestId(value: string): boolean {
  return SAFE_REQUEST_ID.test(value);
}
