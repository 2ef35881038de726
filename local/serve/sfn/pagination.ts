// Pages of List* and GetExecutionHistory results. A nextToken is opaque to clients: it carries the sort
// key of the last item returned and the request it belongs to, signed with a key only this server holds,
// so a token that was altered, made up, or taken from another request (another list, other filters) is
// refused with InvalidToken, as AWS refuses it. Resuming after a key rather than at an offset keeps
// pages exact while the list grows (new executions come first, history grows at its end).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../api-types';
import { optionalInteger, optionalString, type RequestBody } from './request-fields';

/** Where an item sits in its list's order: compared number first, then text. */
export type SortKey = readonly [number, string];

export interface PageRequest<T> {
  /** The whole list, in any order: it is returned in key order. */
  items: readonly T[];
  /** Unique per item. */
  keyOf: (item: T) => SortKey;
  /** Newest (highest key) first. */
  descending: boolean;
  /** What identifies the request apart from maxResults and nextToken: its action and its other fields. */
  scope: unknown;
  /** Page size when maxResults is absent or 0. */
  defaultSize?: number;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export type Paginate = <T>(body: RequestBody, request: PageRequest<T>) => Page<T>;

const MAX_RESULTS = 1000;
const DEFAULT_RESULTS = 100;

function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function isSortKey(value: unknown): value is SortKey {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string';
}

/** A paginator with its own signing key: tokens are valid only on the server that issued them. */
export function createPaginator(secret: Buffer = randomBytes(32)): Paginate {
  const sign = (text: string) => createHmac('sha256', secret).update(text).digest();
  const scopeDigest = (scope: unknown) => sign(JSON.stringify(scope)).subarray(0, 12).toString('base64url');

  const issue = (scope: unknown, key: SortKey): string => {
    const payload = Buffer.from(JSON.stringify({ s: scopeDigest(scope), k: key })).toString('base64url');
    return `${payload}.${sign(payload).toString('base64url')}`;
  };

  const redeem = (token: string, scope: unknown): SortKey => {
    const invalid = (why: string) => new ApiError('InvalidToken', `Invalid Token: '${token.slice(0, 64)}' ${why}`);
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) throw invalid('is not a token this server issued');
    const expected = sign(payload);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('is not a token this server issued');
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s?: unknown; k?: unknown };
    if (parsed.s !== scopeDigest(scope)) throw invalid('belongs to another request (keep every argument but nextToken and maxResults unchanged)');
    if (!isSortKey(parsed.k)) throw invalid('is not a token this server issued');
    return parsed.k;
  };

  return (body, { items, keyOf, descending, scope, defaultSize = DEFAULT_RESULTS }) => {
    const maxResults = optionalInteger(body, 'maxResults', { min: 0, max: MAX_RESULTS }) || defaultSize;
    const token = optionalString(body, 'nextToken', { min: 1, max: 1024 });
    const direction = descending ? -1 : 1;
    const ordered = [...items].sort((a, b) => compareKeys(keyOf(a), keyOf(b)) * direction);
    let start = 0;
    if (token !== undefined) {
      const after = redeem(token, scope);
      start = ordered.findIndex((item) => compareKeys(keyOf(item), after) * direction > 0);
      if (start < 0) start = ordered.length;
    }
    const page = ordered.slice(start, start + maxResults);
    const more = start + maxResults < ordered.length;
    return more ? { items: page, nextToken: issue(scope, keyOf(page[page.length - 1]!)) } : { items: page };
  };
}
