import { AppError } from '../errors/app-error.js';
import type { PrototypeKeyAction } from './safe-json.js';

/** A parsed `application/x-www-form-urlencoded` body: repeated fields become arrays. */
export type FormFields = Record<string, string | string[]>;

/**
 * Parses an HTML form body (WHATWG URL standard's urlencoded parser, through
 * `URLSearchParams`) into an object with no prototype. Field names stay flat:
 * `a[b]=1` is the field `"a[b]"`, never a nested object, so the nesting and
 * prototype tricks of `qs`-style parsers do not exist here.
 *
 * @throws AppError `PAYLOAD_TOO_LARGE` (413) past `maxFields` (the
 * `parameterLimit` of body-parser), `BAD_REQUEST` for a `__proto__` field
 * when `prototypeKeys` is `reject`.
 */
export function parseForm(text: string, maxFields: number, prototypeKeys: PrototypeKeyAction): FormFields {
  const fields = Object.create(null) as FormFields;
  let count = 0;
  for (const [name, value] of new URLSearchParams(text)) {
    if (++count > maxFields) throw new AppError('PAYLOAD_TOO_LARGE', { detail: `The form has more than ${maxFields} fields.` });
    if (name === '__proto__') {
      if (prototypeKeys === 'reject') throw new AppError('BAD_REQUEST', { detail: 'The form contains a "__proto__" field, which is not accepted.' });
      continue;
    }
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else if (typeof existing === 'string') fields[name] = [existing, value];
    else existing.push(value);
  }
  return fields;
}
