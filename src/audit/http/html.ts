/**
 * Just enough HTML reading for the audit: the attributes of `<script>`,
 * `<meta>` and `<form>` start tags. A tokenizer over the start tags is
 * enough here (the audit reads what the server sent, it renders nothing);
 * comments are skipped so commented-out markup does not count.
 */

export type Attributes = ReadonlyMap<string, string>;

const COMMENT = /<!--[\s\S]*?-->/g;
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** The attributes of every `<name …>` start tag, in document order; names lower-cased. */
export function startTags(html: string, name: string): Attributes[] {
  const source = html.replace(COMMENT, '');
  const pattern = new RegExp(`<${name}(?=[\\s/>])([^>]*)>`, 'gi');
  const tags: Attributes[] = [];
  for (const match of source.matchAll(pattern)) {
    const attributes = new Map<string, string>();
    for (const attribute of (match[1] ?? '').matchAll(ATTRIBUTE)) {
      const key = (attribute[1] as string).toLowerCase();
      if (!attributes.has(key)) attributes.set(key, decodeEntities(attribute[2] ?? attribute[3] ?? attribute[4] ?? ''));
    }
    tags.push(attributes);
  }
  return tags;
}

function decodeEntities(value: string): string {
  return value.replace(/&(amp|quot|apos|#39|lt|gt);/g, (_, entity: string) => ({ amp: '&', quot: '"', apos: "'", '#39': "'", lt: '<', gt: '>' })[entity] ?? '');
}

/** `<meta http-equiv="Content-Security-Policy" content="…">` policies. */
export function metaPolicies(html: string): string[] {
  return startTags(html, 'meta')
    .filter((tag) => tag.get('http-equiv')?.toLowerCase() === 'content-security-policy')
    .map((tag) => tag.get('content') ?? '')
    .filter((content) => content !== '');
}

export function isHtml(mediaType: string | undefined): boolean {
  return mediaType === 'text/html' || mediaType === 'application/xhtml+xml';
}
