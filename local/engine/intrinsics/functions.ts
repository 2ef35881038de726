// The intrinsic functions themselves, with the argument checks the AWS developer guide documents
// ("Intrinsic functions for JSONPath states in Step Functions"). Each takes already-evaluated
// argument values; a bad argument is a States.IntrinsicFailure naming the function and the argument.
import { createHash, randomUUID } from 'node:crypto';
import { StatesError } from '../errors';
import type { IntrinsicArg } from './parser';

export interface Invocation {
  name: string;
  /** Argument values, already evaluated. */
  values: unknown[];
  /** The arguments as written, for checks on their form (JsonToString wants a path). */
  args: IntrinsicArg[];
  /** Where an unseeded MathRandom and UUID draw from (eval-env.ts: the same on replay); the machine's by default. */
  draws?: RandomSource;
}

export interface RandomSource {
  random(): number;
  uuid(): string;
}

interface IntrinsicFunction {
  /** Smallest and largest number of arguments. */
  arity: readonly [number, number];
  run: (call: Invocation) => unknown;
}

const MAX_ARRAY_RANGE = 1000;
/** The guide's limit on a string argument (States.Hash's data among them). */
export const MAX_STRING_CHARS = 10_000;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function intrinsicFailure(name: string, message: string): StatesError {
  return new StatesError('States.IntrinsicFailure', `${name}: ${message}`);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Throws unless `count` arguments fit the function's arity (also used to check definitions before a run). */
export function checkArgumentCount(name: string, count: number): void {
  const spec = Object.hasOwn(INTRINSIC_FUNCTIONS, name) ? INTRINSIC_FUNCTIONS[name] : undefined;
  if (!spec) throw intrinsicFailure(name, `unknown intrinsic function; supported: ${Object.keys(INTRINSIC_FUNCTIONS).join(', ')}`);
  const [min, max] = spec.arity;
  if (count < min || count > max) {
    const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    const plural = (max === Infinity ? min : max) === 1 ? '' : 's';
    throw intrinsicFailure(name, `expected ${wanted} argument${plural} but got ${count}`);
  }
}

function argError(call: Invocation, index: number, role: string, wanted: string): StatesError {
  return intrinsicFailure(call.name, `argument ${index + 1} (${role}) must be ${wanted}, got ${describe(call.values[index])}`);
}

function stringArg(call: Invocation, index: number, role: string, maxChars?: number): string {
  const value = call.values[index];
  if (typeof value !== 'string') throw argError(call, index, role, 'a string');
  if (maxChars !== undefined && value.length > maxChars) {
    throw intrinsicFailure(call.name, `argument ${index + 1} (${role}) must be at most ${maxChars} characters, got ${value.length}`);
  }
  return value;
}

function arrayArg(call: Invocation, index: number, role: string): unknown[] {
  const value = call.values[index];
  if (!Array.isArray(value)) throw argError(call, index, role, 'an array');
  return value;
}

function objectArg(call: Invocation, index: number, role: string): Record<string, unknown> {
  const value = call.values[index];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw argError(call, index, role, 'a JSON object');
  return value as Record<string, unknown>;
}

/** An integer argument that must be written as an integer. */
function strictIntArg(call: Invocation, index: number, role: string): number {
  const value = call.values[index];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw argError(call, index, role, 'an integer');
  return value;
}

/** AWS: "If you specify a non-integer value ..., Step Functions will round it off to the nearest integer." */
function roundedIntArg(call: Invocation, index: number, role: string): number {
  const value = call.values[index];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw argError(call, index, role, 'a number');
  return Math.round(value);
}

/** Structural JSON equality key: objects compare regardless of key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * How AWS prints a value into States.Format: strings bare, other scalars as JSON, and arrays and
 * objects the way Java prints its collections (`{Arg1=1, Arg2=[]}`), as recorded against AWS by
 * LocalStack's validated snapshot tests.
 */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function format(call: Invocation): string {
  const template = stringArg(call, 0, 'template');
  const first = call.args[0];
  // A literal template keeps its escapes: `\{` and `\}` are braces, not placeholders.
  const raw = first.kind === 'literal' && first.raw !== undefined ? first.raw : template;
  const escaped = first.kind === 'literal' && first.raw !== undefined;
  const parts: string[] = [''];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (escaped && ch === '\\') {
      parts[parts.length - 1] += raw[i + 1];
      i++;
    } else if (ch === '{' && raw[i + 1] === '}') {
      parts.push('');
      i++;
    } else {
      parts[parts.length - 1] += ch;
    }
  }
  const placeholders = parts.length - 1;
  const supplied = call.values.length - 1;
  if (placeholders !== supplied) {
    throw intrinsicFailure(call.name, `the template has ${placeholders} '{}' placeholder(s) but ${supplied} value argument(s) were given`);
  }
  let out = parts[0];
  for (let i = 1; i < parts.length; i++) {
    out += formatValue(call.values[i]) + parts[i];
  }
  return out;
}

function stringToJson(call: Invocation): unknown {
  const text = stringArg(call, 0, 'JSON string');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw intrinsicFailure(call.name, `argument 1 (JSON string) is not valid JSON: ${(err as Error).message}`);
  }
}

function jsonToString(call: Invocation): string {
  if (call.args[0].kind !== 'path') throw intrinsicFailure(call.name, 'argument 1 must be a path such as $.data');
  return JSON.stringify(call.values[0]) ?? 'null';
}

function array(call: Invocation): unknown[] {
  return call.values.slice();
}

/** `items` in consecutive chunks of `size` (a positive integer), the last one shorter: States.ArrayPartition and $partition. */
export function chunksOf(items: readonly unknown[], size: number): unknown[][] {
  const chunks: unknown[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** How many values from `start` to `end` (included) by `step` (non-zero): States.ArrayRange and $range. */
export function rangeCount(start: number, end: number, step: number): number {
  return (end - start) / step < 0 ? 0 : Math.floor((end - start) / step) + 1;
}

export function rangeOf(start: number, count: number, step: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i * step);
}

function arrayPartition(call: Invocation): unknown[][] {
  const items = arrayArg(call, 0, 'array');
  const size = roundedIntArg(call, 1, 'chunk size');
  if (size <= 0) throw argError(call, 1, 'chunk size', 'a positive integer');
  return chunksOf(items, size);
}

function arrayContains(call: Invocation): boolean {
  const items = arrayArg(call, 0, 'array');
  const wanted = canonical(call.values[1]);
  return items.some((item) => canonical(item) === wanted);
}

function arrayRange(call: Invocation): number[] {
  const start = roundedIntArg(call, 0, 'start');
  const end = roundedIntArg(call, 1, 'end');
  const step = roundedIntArg(call, 2, 'step');
  if (step === 0) throw argError(call, 2, 'step', 'a non-zero integer');
  const count = rangeCount(start, end, step);
  if (count > MAX_ARRAY_RANGE) {
    throw intrinsicFailure(call.name, `the range would have ${count} elements; at most ${MAX_ARRAY_RANGE} are allowed`);
  }
  return rangeOf(start, count, step);
}

function arrayGetItem(call: Invocation): unknown {
  const items = arrayArg(call, 0, 'array');
  const index = strictIntArg(call, 1, 'index');
  if (index < 0 || index >= items.length) {
    throw intrinsicFailure(call.name, `argument 2 (index) ${index} is out of bounds for an array of length ${items.length}`);
  }
  return items[index];
}

function arrayLength(call: Invocation): number {
  return arrayArg(call, 0, 'array').length;
}

function arrayUnique(call: Invocation): unknown[] {
  const seen = new Set<string>();
  return arrayArg(call, 0, 'array').filter((item) => {
    const key = canonical(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function base64Encode(call: Invocation): string {
  return Buffer.from(stringArg(call, 0, 'data', MAX_STRING_CHARS), 'utf8').toString('base64');
}

function base64Decode(call: Invocation): string {
  const encoded = stringArg(call, 0, 'base64 data', MAX_STRING_CHARS);
  if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    throw argError(call, 0, 'base64 data', 'valid base64');
  }
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** Step Functions' algorithm names → node's: States.Hash and $hash. */
export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

function hash(call: Invocation): string {
  const data = stringArg(call, 0, 'data', MAX_STRING_CHARS);
  const algorithm = stringArg(call, 1, 'algorithm');
  const nodeName = Object.hasOwn(HASH_ALGORITHMS, algorithm) ? HASH_ALGORITHMS[algorithm] : undefined;
  if (!nodeName) throw argError(call, 1, 'algorithm', `one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
  return createHash(nodeName).update(data, 'utf8').digest('hex');
}

function jsonMerge(call: Invocation): Record<string, unknown> {
  const left = objectArg(call, 0, 'first object');
  const right = objectArg(call, 1, 'second object');
  if (call.values[2] !== false) throw argError(call, 2, 'deep merge flag', 'false (only shallow merging is supported)');
  return { ...left, ...right };
}

/** mulberry32: a small deterministic generator, so a seeded MathRandom (or JSONata `$random(seed)`) repeats its value. */
export function seededFraction(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function mathRandom(call: Invocation): number {
  const start = roundedIntArg(call, 0, 'start');
  const end = roundedIntArg(call, 1, 'end');
  if (end <= start) throw intrinsicFailure(call.name, `argument 2 (end) ${end} must be greater than argument 1 (start) ${start}`);
  const fraction = call.values.length === 3 ? seededFraction(roundedIntArg(call, 2, 'seed')) : (call.draws ? call.draws.random() : Math.random());
  // Start inclusive, end exclusive.
  return start + Math.floor(fraction * (end - start));
}

function mathAdd(call: Invocation): number {
  const a = roundedIntArg(call, 0, 'first value');
  const b = roundedIntArg(call, 1, 'second value');
  for (const [i, v] of [a, b].entries()) {
    if (v < INT32_MIN || v > INT32_MAX) throw argError(call, i, i === 0 ? 'first value' : 'second value', `an integer between ${INT32_MIN} and ${INT32_MAX}`);
  }
  return a + b;
}

function stringSplit(call: Invocation): string[] {
  const text = stringArg(call, 0, 'string');
  const delimiters = stringArg(call, 1, 'delimiter');
  // Every character of the delimiter separates, and empty pieces are dropped (AWS's
  // example splits "This.is+a,test=string" on ".+,=" into five words).
  const out: string[] = [];
  let current = '';
  for (const ch of text) {
    if (delimiters.includes(ch)) {
      if (current !== '') out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

function uuid(call: Invocation): string {
  return call.draws ? call.draws.uuid() : randomUUID();
}

export const INTRINSIC_FUNCTIONS: Readonly<Record<string, IntrinsicFunction>> = {
  'States.Format': { arity: [1, Infinity], run: format },
  'States.StringToJson': { arity: [1, 1], run: stringToJson },
  'States.JsonToString': { arity: [1, 1], run: jsonToString },
  'States.Array': { arity: [0, Infinity], run: array },
  'States.ArrayPartition': { arity: [2, 2], run: arrayPartition },
  'States.ArrayContains': { arity: [2, 2], run: arrayContains },
  'States.ArrayRange': { arity: [3, 3], run: arrayRange },
  'States.ArrayGetItem': { arity: [2, 2], run: arrayGetItem },
  'States.ArrayLength': { arity: [1, 1], run: arrayLength },
  'States.ArrayUnique': { arity: [1, 1], run: arrayUnique },
  'States.Base64Encode': { arity: [1, 1], run: base64Encode },
  'States.Base64Decode': { arity: [1, 1], run: base64Decode },
  'States.Hash': { arity: [2, 2], run: hash },
  'States.JsonMerge': { arity: [3, 3], run: jsonMerge },
  'States.MathRandom': { arity: [2, 3], run: mathRandom },
  'States.MathAdd': { arity: [2, 2], run: mathAdd },
  'States.StringSplit': { arity: [2, 2], run: stringSplit },
  'States.UUID': { arity: [0, 0], run: uuid },
};
