import { invalidOption } from '../errors/option-error.js';

/**
 * The media type of a `Content-Type` value without its parameters, lower-cased
 * (RFC 9110 §8.3.1: type and subtype are case-insensitive). Undefined for an
 * absent or blank header.
 */
export function mediaTypeOf(contentType: string | null | undefined): string | undefined {
  if (contentType === undefined || contentType === null) return undefined;
  const end = contentType.indexOf(';');
  const essence = (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
  return essence === '' ? undefined : essence;
}

/** The `charset` parameter, lower-cased, or undefined. */
export function charsetOf(contentType: string | null | undefined): string | undefined {
  if (contentType === undefined || contentType === null) return undefined;
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

export const JSON_MEDIA_TYPE = 'application/json';
export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';
export const MULTIPART_MEDIA_TYPE = 'multipart/form-data';

/** Whether the body is a browser form submission (the only bodies an HTML `<form>` can send besides `text/plain`). */
export function isFormMediaType(mediaType: string | undefined): boolean {
  return mediaType === FORM_MEDIA_TYPE || mediaType === MULTIPART_MEDIA_TYPE;
}

const MEDIA_RANGE = /^[a-z0-9!#$&^_.+-]+\/(?:\*|[a-z0-9!#$&^_.+-]+)$/;

/**
 * Compiles an allowlist of media types (`application/json`) and whole types
 * (`image/*`) into one predicate, once.
 */
export function compileMediaTypes(option: string, entries: readonly string[]): (mediaType: string) => boolean {
  if (!Array.isArray(entries)) throw invalidOption(option, 'an array of media types', entries);
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of entries) {
    const normalized = typeof entry === 'string' ? entry.trim().toLowerCase() : '';
    if (!MEDIA_RANGE.test(normalized)) throw invalidOption(`${option}[]`, 'a media type such as "application/json" or "image/*"', entry);
    if (normalized.endsWith('/*')) prefixes.push(normalized.slice(0, -1));
    else exact.add(normalized);
  }
  if (prefixes.length === 0) return (mediaType) => exact.has(mediaType);
  return (mediaType) => exact.has(mediaType) || prefixes.some((prefix) => mediaType.startsWith(prefix));
}
