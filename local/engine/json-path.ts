// JSONPath as Step Functions uses it: reference paths (one node) are walked by hand, because they are
// the hot path of every transition; anything else (wildcards, filters, slices, deep scan) goes to
// jsonpath-plus and, as AWS does for an indefinite path, always yields an array of matches.
import { JSONPath } from 'jsonpath-plus';
import { StatesError } from './errors';
import { VARIABLE_NAME } from './variables';

/** One step of a reference path: an object key or an array index. */
export type PathSegment = string | number;

const parsedCache = new Map<string, readonly PathSegment[] | null>();
const CACHE_LIMIT = 10_000;

/**
 * Parses a reference path (`$`, `$.a.b`, `$.a[0]`, `$['x']`) into its steps, or returns null when the
 * path is not a reference path (it uses `*`, `..`, filters, slices or unions).
 */
export function parseReferencePath(path: string): readonly PathSegment[] | null {
  const cached = parsedCache.get(path);
  if (cached !== undefined) return cached;
  const parsed = parseUncached(path);
  if (parsedCache.size >= CACHE_LIMIT) parsedCache.clear();
  // Frozen: the cached array is shared by every caller.
  parsedCache.set(path, parsed && Object.freeze(parsed));
  return parsed;
}

function parseUncached(path: string): PathSegment[] | null {
  if (path[0] !== '$') return null;
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      if (path[i + 1] === '.') return null; // deep scan
      if (path[i + 1] === '[') {
        i++; // `$.abc.['def ghi']`, a form the AWS guide itself uses
        continue;
      }
      let end = i + 1;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      const name = path.slice(i + 1, end);
      if (name === '' || name === '*' || /[\s'"()?,:@]/.test(name)) return null;
      segments.push(name);
      i = end;
    } else if (ch === '[') {
      const quote = path[i + 1];
      if (quote === "'" || quote === '"') {
        let j = i + 2;
        let name = '';
        while (j < path.length && path[j] !== quote) {
          if (path[j] === '\\' && j + 1 < path.length) j++;
          name += path[j];
          j++;
        }
        if (path[j] !== quote || path[j + 1] !== ']') return null; // union or unterminated
        segments.push(name);
        i = j + 2;
      } else {
        const close = path.indexOf(']', i);
        if (close < 0) return null;
        const body = path.slice(i + 1, close).trim();
        if (!/^\d+$/.test(body)) return null; // *, slices, unions, filters, negative indices
        segments.push(Number(body));
        i = close + 1;
      }
    } else {
      return null;
    }
  }
  return segments;
}

/** True for a path that names at most one node, the only kind ResultPath and ItemsPath accept. */
export function isReferencePath(path: string): boolean {
  return parseReferencePath(path) !== null;
}

/** Jayway's normalized form (`$['a'][0]`), which AWS quotes in its "No results for path" messages. */
export function normalizePath(segments: readonly PathSegment[]): string {
  return '$' + segments.map((s) => (typeof s === 'number' ? `[${s}]` : `['${s}']`)).join('');
}

const NOT_FOUND: unique symbol = Symbol('not found');

function walk(data: unknown, segments: readonly PathSegment[]): unknown | typeof NOT_FOUND {
  let node: unknown = data;
  for (const seg of segments) {
    if (typeof seg === 'number') {
      if (!Array.isArray(node) || seg >= node.length) return NOT_FOUND;
      node = node[seg];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, seg)) {
        return NOT_FOUND;
      }
      node = (node as Record<string, unknown>)[seg];
    }
  }
  return node;
}

function queryIndefinite(data: unknown, path: string): unknown[] {
  try {
    const found: unknown = JSONPath({ path, json: data as object, wrap: true, eval: 'safe' });
    return Array.isArray(found) ? found : [];
  } catch (err) {
    throw new StatesError('States.Runtime', `Invalid path '${path}' : ${(err as Error).message}`);
  }
}

/** A `$$...` path handed where only the input is read: a caller should have sent it to the context object. */
function rejectContextPath(path: string): void {
  if (path.startsWith('$$')) {
    throw new StatesError('States.Runtime', `Invalid path '${path}': a $$ path reads the context object; resolve it against the context (without one $)`);
  }
}

/** Reads workflow variables for `$name` paths (eval-env.ts's EvalEnv is one). */
export interface VariableReader {
  variable(name: string): unknown;
}

/**
 * The variable a path reads and the path into its value (`$order.total` → `order`, `$.total`; `$name`, `$name.a`,
 * `$name[0]`...); null for other paths.
 */
export function variablePath(path: string): { name: string; rest: string } | null {
  if (path.length < 2 || path[1] === '.' || path[1] === '[' || path[1] === '$') return null;
  const m = VARIABLE_NAME.exec(path.slice(1));
  return m ? { name: m[0], rest: `$${path.slice(1 + m[0].length)}` } : null;
}

function variableValue(name: string, path: string, field: string | undefined, vars: VariableReader | undefined): unknown {
  const value = vars?.variable(name);
  if (value === undefined) {
    throw new StatesError('States.Runtime', `The JSONPath '${path}'${field ? ` specified for the field '${field}'` : ''} references the variable '$${name}', which has no value here.`);
  }
  return value;
}

function describeInput(data: unknown): string {
  return JSON.stringify(data) ?? 'null';
}

/**
 * The value at `path` in `data`. A reference path that matches nothing is a States.Runtime error;
 * an indefinite path returns the array of its matches (possibly empty).
 * @param field the ASL field the path came from (e.g. `bar.$`), quoted in the error as AWS does.
 */
export function readPath(data: unknown, path: string, field?: string, vars?: VariableReader): unknown {
  if (typeof path === 'string') {
    const v = variablePath(path);
    if (v) return read(variableValue(v.name, path, field, vars), v.rest, field, path);
  }
  return read(data, path, field, path);
}

/** `shown` is the path as the user wrote it (with `$$` for the context object), for messages. */
function read(data: unknown, path: string, field: string | undefined, shown: string): unknown {
  if (typeof path !== 'string' || !path.startsWith('$')) {
    throw new StatesError('States.Runtime', `Invalid path '${String(path)}'${field ? ` for the field '${field}'` : ''}: a path must start with '$'`);
  }
  const segments = parseReferencePath(path);
  if (segments === null) {
    rejectContextPath(path);
    return queryIndefinite(data, path);
  }
  const value = walk(data, segments);
  if (value !== NOT_FOUND) return value;
  if (field !== undefined) {
    throw new StatesError(
      'States.Runtime',
      `The JSONPath '${shown}' specified for the field '${field}' could not be found in the input '${describeInput(data)}'`,
    );
  }
  throw new StatesError('States.Runtime', `Invalid path '${shown}' : No results for path: ${normalizePath(segments)}`);
}

/**
 * readPath for fields that accept every kind of path: `$$...` reads the context object, `$name...` a workflow
 * variable, anything else the state input (e.g. Fail's ErrorPath, Choice Variables, `.$` values).
 */
export function readInputOrContext(input: unknown, context: unknown, path: string, field?: string, vars?: VariableReader): unknown {
  return typeof path === 'string' && path.startsWith('$$') ? read(context, path.slice(1), field, path) : readPath(input, path, field, vars);
}

/** Whether `path` names something in `data`, or in the variable it reads (Choice `IsPresent`). */
export function isPresent(data: unknown, path: string, vars?: VariableReader): boolean {
  const v = variablePath(path);
  if (v) {
    const value = vars?.variable(v.name);
    return value !== undefined && isPresent(value, v.rest);
  }
  const segments = parseReferencePath(path);
  if (segments === null) {
    rejectContextPath(path);
    return queryIndefinite(data, path).length > 0;
  }
  return walk(data, segments) !== NOT_FOUND;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A copy of a JSON object's own keys (several times faster than spread on this runtime). */
function shallowCopy(source: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in source) {
    if (Object.hasOwn(source, key)) setOwn(copy, key, source[key]);
  }
  return copy;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // A key named "__proto__" must become data, not a prototype; plain assignment is faster otherwise.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Returns a copy of `target` with `value` placed at the reference path `path` (ResultPath).
 * Missing intermediate objects are created; `target` itself is never modified.
 */
export function writePath(target: unknown, path: string, value: unknown): unknown {
  const segments = typeof path === 'string' ? parseReferencePath(path) : null;
  if (segments === null) {
    throw new StatesError('States.Runtime', `Invalid ResultPath '${String(path)}': only a reference path (such as $.a.b or $.a[0]) can be written to`);
  }
  // AWS: a ResultPath that cannot be applied to the input is States.ResultPathMatchFailure, which Catch's
  // States.ALL matches (States.Runtime would not be catchable).
  const fail = (depth: number, what: string): never => {
    throw new StatesError(
      'States.ResultPathMatchFailure',
      `Unable to apply ResultPath '${path}' to the input '${describeInput(target)}': ${normalizePath(segments.slice(0, depth))} ${what}`,
    );
  };
  const place = (node: unknown, depth: number): unknown => {
    if (depth === segments.length) return value;
    const seg = segments[depth];
    if (typeof seg === 'number') {
      if (!Array.isArray(node)) return fail(depth, `is ${kindOf(node)}, not an array`);
      if (seg >= node.length) return fail(depth, `has no index ${seg}`);
      const copy = node.slice();
      copy[seg] = place(node[seg], depth + 1);
      return copy;
    }
    if (node === undefined) node = {};
    if (!isPlainObject(node)) return fail(depth, `is ${kindOf(node)}, not an object`);
    const copy = shallowCopy(node);
    setOwn(copy, seg, place(Object.hasOwn(node, seg) ? node[seg] : undefined, depth + 1));
    return copy;
  };
  return place(target, 0);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'missing';
  return `a ${typeof value}`;
}
