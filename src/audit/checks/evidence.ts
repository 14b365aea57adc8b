import { shorten } from '../http/header-map.js';
import type { ProbeResponse } from '../http/client.js';
import type { Exchange } from '../probes.js';
import type { Evidence } from '../types.js';

/** `GET /path` for a response (the full URL when it went to another port or scheme). */
export function requestLine(response: ProbeResponse): string {
  return `${response.method} ${response.display}`;
}

export function evidence(response: ProbeResponse, detail?: string): Evidence {
  return { request: requestLine(response), status: response.status, ...(detail === undefined ? {} : { detail }) };
}

export function exchangeEvidence(exchange: Exchange, detail?: string): Evidence {
  if (exchange.response !== undefined) return evidence(exchange.response, detail);
  return { request: exchange.label, detail: `no answer: ${exchange.error?.message ?? 'unknown error'}` };
}

/** The header's line, or a note that it is absent. */
export function headerDetail(response: ProbeResponse, name: string): string {
  return response.headers.line(name) ?? `no ${name} header`;
}

export function bodyExcerpt(body: string, max = 160): string {
  return shorten(body, max);
}

/** The responses an exchange list actually got. */
export function answered(exchanges: readonly (Exchange | undefined)[]): ProbeResponse[] {
  return exchanges.flatMap((exchange) => (exchange?.response === undefined ? [] : [exchange.response]));
}
