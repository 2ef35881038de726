// The functions Step Functions adds to JSONata ("JSONata functions provided by Step Functions": `$partition`,
// `$range`, `$hash`, `$random` with an optional seed, `$uuid`, `$parse`), `$eval` taken away as AWS takes it
// ("$eval is not supported in Step Functions workflows"; calling it is JSONata's T1006, not a function), and
// `$now`/`$millis` on the execution's recorded clock. "Functions that require integer values as parameters will
// automatically round down any non-integer numbers provided": here towards zero, which is down for the
// positive chunk sizes and ranges the guide shows.
import { createHash } from 'node:crypto';
import jsonata from 'jsonata';
import type { EvalEnv } from '../eval-env';
import { chunksOf, HASH_ALGORITHMS, MAX_STRING_CHARS, rangeCount, rangeOf, seededFraction } from '../intrinsics/functions';

/**
 * $hash takes what States.Hash takes. For $range the guide names no limit (States.ArrayRange's is 1,000):
 * this one only keeps a typo from filling the memory.
 */
const MAX_RANGE_ITEMS = 1_000_000;

function fail(fn: string, message: string): never {
  throw new Error(`${fn}: ${message}`);
}

function integer(fn: string, value: unknown, role: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, `${role} must be a number, got ${JSON.stringify(value) ?? 'nothing'}`);
  return Math.trunc(value);
}

function partition(array: unknown, size: unknown): unknown[][] {
  if (!Array.isArray(array)) fail('$partition', `the first argument must be an array, got ${JSON.stringify(array) ?? 'nothing'}`);
  const chunk = integer('$partition', size, 'the chunk size');
  if (chunk < 1) fail('$partition', `the chunk size must be a positive integer, got ${JSON.stringify(size)}`);
  return chunksOf(array, chunk);
}

function range(start: unknown, end: unknown, step: unknown): number[] {
  const from = integer('$range', start, 'the start');
  const to = integer('$range', end, 'the end');
  const by = integer('$range', step, 'the step');
  if (by === 0) fail('$range', 'the step must not be 0');
  const count = rangeCount(from, to, by);
  if (count > MAX_RANGE_ITEMS) fail('$range', `the range would have ${count} values, more than ${MAX_RANGE_ITEMS}`);
  return rangeOf(from, count, by);
}

function hash(data: unknown, algorithm: unknown): string {
  if (typeof data !== 'string') fail('$hash', `the data must be a string, got ${JSON.stringify(data) ?? 'nothing'}`);
  if (data.length > MAX_STRING_CHARS) fail('$hash', `the data must be at most ${MAX_STRING_CHARS} characters, got ${data.length}`);
  const name = typeof algorithm === 'string' && Object.hasOwn(HASH_ALGORITHMS, algorithm) ? HASH_ALGORITHMS[algorithm]! : undefined;
  if (!name) fail('$hash', `the algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}, got ${JSON.stringify(algorithm) ?? 'nothing'}`);
  return createHash(name).update(data, 'utf8').digest('hex');
}

function parse(text: unknown): unknown {
  if (typeof text !== 'string') fail('$parse', `the argument must be a JSON string, got ${JSON.stringify(text) ?? 'nothing'}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    return fail('$parse', `the argument is not valid JSON: ${(err as Error).message}`);
  }
}

const fromMillis = jsonata('$fromMillis($ms, $picture, $timezone)');

/** Gives a compiled expression AWS's functions that need nothing of the execution, and takes `$eval` away. */
export function addStaticFunctions(expression: jsonata.Expression): void {
  expression.registerFunction('partition', partition);
  expression.registerFunction('range', range);
  expression.registerFunction('hash', hash);
  expression.registerFunction('parse', parse);
  expression.assign('eval', undefined);
}

const bindingsOf = new WeakMap<EvalEnv, Record<string, unknown>>();

/**
 * The functions bound at each evaluation, besides the variables: the ones that draw on the execution's random
 * source and clock (`env`, see eval-env.ts). Made once per env (one per thread).
 */
export function functionBindings(env: EvalEnv): Record<string, unknown> {
  let bindings = bindingsOf.get(env);
  if (!bindings) bindingsOf.set(env, (bindings = makeBindings(env)));
  return bindings;
}

function makeBindings(env: EvalEnv): Record<string, unknown> {
  return {
    random: (seed?: unknown) => (seed === undefined ? env.random() : seededFraction(integer('$random', seed, 'the seed'))),
    uuid: (...args: unknown[]) => (args.length ? fail('$uuid', 'takes no arguments') : env.uuid()),
    millis: () => env.now(),
    now: (picture?: unknown, timezone?: unknown) =>
      picture === undefined ? new Date(env.now()).toISOString() : fromMillis.evaluate(undefined, { ms: env.now(), picture, timezone }),
  };
}
