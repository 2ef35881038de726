// Choice rules (JSONPath query language), as the "Choice workflow state" page of the AWS developer
// guide defines them. A comparison whose Variable has the wrong type is simply false; a Variable
// (or `…Path` operand) that is missing is a States.Runtime error, except for IsPresent.
import { StatesError } from './errors';
import { isPresent, readPath, type VariableReader } from './json-path';

const ORDERINGS = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'] as const;
type Ordering = (typeof ORDERINGS)[number];
const KINDS = ['String', 'Numeric', 'Boolean', 'Timestamp'] as const;
type Kind = (typeof KINDS)[number];

type ComparisonName = `${Kind}${Ordering}` | `${Kind}${Ordering}Path`;
type TypeTest = 'IsNull' | 'IsPresent' | 'IsNumeric' | 'IsString' | 'IsBoolean' | 'IsTimestamp';

/** Every operator a Choice rule may carry besides And/Or/Not. */
export type ChoiceOperator = ComparisonName | TypeTest | 'StringMatches';

export type ChoiceRule = {
  Variable?: string;
  Next?: string;
  Comment?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  /** JSONata: the rule matches when this is (or evaluates to) true. */
  Condition?: boolean | string;
  /** Variables set when this rule is the one chosen (top-level rules only). */
  Assign?: Record<string, unknown>;
  /** JSONata: the state output when this rule is the one chosen. */
  Output?: unknown;
} & { [K in ChoiceOperator]?: string | number | boolean };

interface Comparison {
  kind: Kind;
  ordering: Ordering;
  viaPath: boolean;
}

/** All operator names, e.g. for a definition checker. */
export const CHOICE_OPERATORS: readonly ChoiceOperator[] = [
  ...KINDS.flatMap((k) => ORDERINGS.flatMap((o) => [`${k}${o}`, `${k}${o}Path`] as ComparisonName[])),
  'StringMatches',
  'IsNull',
  'IsPresent',
  'IsNumeric',
  'IsString',
  'IsBoolean',
  'IsTimestamp',
];

const COMPARISONS = new Map<string, Comparison>(
  KINDS.flatMap((kind) =>
    ORDERINGS.flatMap((ordering) => [
      [`${kind}${ordering}`, { kind, ordering, viaPath: false }] as const,
      [`${kind}${ordering}Path`, { kind, ordering, viaPath: true }] as const,
    ]),
  ),
);

const TYPE_TESTS = new Set<string>(['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp']);

/** Returns the `Next` of the first matching rule, else `Default` (undefined: caller fails with States.NoChoiceMatched). */
export function selectChoice(state: { Choices: ChoiceRule[]; Default?: string }, input: unknown, context?: unknown, vars?: VariableReader): string | undefined {
  return matchingRule(state, input, context, vars)?.Next ?? state.Default;
}

/** The first rule that matches, if any (its Assign applies, not the state's). */
export function matchingRule(state: { Choices: ChoiceRule[] }, input: unknown, context?: unknown, vars?: VariableReader): ChoiceRule | undefined {
  for (const rule of state.Choices) {
    if (evaluateChoiceRule(rule, input, context, vars)) return rule;
  }
  return undefined;
}

/**
 * Evaluates one rule (ignoring its `Next`).
 * @param context the context object, for Variables written as `$$...`.
 * @param vars the workflow variables, for Variables written as `$name...`.
 */
export function evaluateChoiceRule(rule: ChoiceRule, input: unknown, context?: unknown, vars?: VariableReader): boolean {
  if (rule === null || typeof rule !== 'object') throw invalidRule('a Choice rule must be an object', rule);
  if (rule.And !== undefined) {
    if (!Array.isArray(rule.And) || rule.And.length === 0) throw invalidRule('And must be a non-empty array of rules', rule);
    return rule.And.every((r) => evaluateChoiceRule(r, input, context, vars));
  }
  if (rule.Or !== undefined) {
    if (!Array.isArray(rule.Or) || rule.Or.length === 0) throw invalidRule('Or must be a non-empty array of rules', rule);
    return rule.Or.some((r) => evaluateChoiceRule(r, input, context, vars));
  }
  if (rule.Not !== undefined) return !evaluateChoiceRule(rule.Not, input, context, vars);

  const operator = findOperator(rule);
  const expected = (rule as Record<string, unknown>)[operator];
  const variable = rule.Variable;
  if (typeof variable !== 'string') throw invalidRule(`${operator} needs a Variable path`, rule);

  if (operator === 'IsPresent') {
    requireBoolean(operator, expected, rule);
    return pathPresent(variable, input, context, vars) === expected;
  }
  const value = readVariable(variable, input, context, vars);
  if (TYPE_TESTS.has(operator)) {
    requireBoolean(operator, expected, rule);
    return typeTest(operator, value) === expected;
  }
  if (operator === 'StringMatches') {
    if (typeof expected !== 'string') throw invalidRule('StringMatches needs a string pattern', rule);
    return typeof value === 'string' && matchesWildcard(value, expected);
  }
  const comparison = COMPARISONS.get(operator)!;
  let operand: unknown = expected;
  if (comparison.viaPath) {
    if (typeof expected !== 'string') throw invalidRule(`${operator} needs a path`, rule);
    operand = readVariable(expected, input, context, vars);
  } else {
    checkLiteral(comparison, operator, expected, rule);
  }
  return compare(comparison, value, operand);
}

// Rules are evaluated on every pass of a loop; their operator never changes.
const operatorCache = new WeakMap<ChoiceRule, ChoiceOperator>();

function findOperator(rule: ChoiceRule): ChoiceOperator {
  let operator = operatorCache.get(rule);
  if (operator === undefined) {
    operator = scanOperator(rule);
    operatorCache.set(rule, operator);
  }
  return operator;
}

function scanOperator(rule: ChoiceRule): ChoiceOperator {
  const found = Object.keys(rule).filter((k) => COMPARISONS.has(k) || TYPE_TESTS.has(k) || k === 'StringMatches');
  if (found.length !== 1) {
    throw invalidRule(found.length === 0 ? 'no comparison operator found' : `more than one comparison operator (${found.join(', ')})`, rule);
  }
  return found[0] as ChoiceOperator;
}

function invalidRule(message: string, rule: unknown): StatesError {
  return new StatesError('States.Runtime', `Invalid Choice rule ${JSON.stringify(rule)}: ${message}`);
}

function requireBoolean(operator: string, expected: unknown, rule: ChoiceRule): void {
  if (typeof expected !== 'boolean') throw invalidRule(`${operator} must be true or false`, rule);
}

function resolve(path: string, input: unknown, context: unknown): { data: unknown; path: string } {
  return path.startsWith('$$') ? { data: context, path: path.slice(1) } : { data: input, path };
}

function pathPresent(path: string, input: unknown, context: unknown, vars: VariableReader | undefined): boolean {
  const r = resolve(path, input, context);
  return isPresent(r.data, r.path, vars);
}

function readVariable(path: string, input: unknown, context: unknown, vars: VariableReader | undefined): unknown {
  const r = resolve(path, input, context);
  if (!isPresent(r.data, r.path, vars)) {
    // AWS's wording when a Choice rule's path matches nothing.
    throw new StatesError('States.Runtime', `Invalid path '${path}': The choice state's condition path references an invalid value.`);
  }
  return readPath(r.data, r.path, undefined, vars);
}

function typeTest(operator: string, value: unknown): boolean {
  switch (operator) {
    case 'IsNull':
      return value === null;
    case 'IsNumeric':
      return typeof value === 'number';
    case 'IsString':
      return typeof value === 'string';
    case 'IsBoolean':
      return typeof value === 'boolean';
    default: // IsTimestamp
      return typeof value === 'string' && parseTimestamp(value) !== null;
  }
}

/** A literal operand of the wrong type is a definition error, not a false comparison. */
function checkLiteral(c: Comparison, operator: string, expected: unknown, rule: ChoiceRule): void {
  const ok =
    c.kind === 'String'
      ? typeof expected === 'string'
      : c.kind === 'Numeric'
        ? typeof expected === 'number'
        : c.kind === 'Boolean'
          ? typeof expected === 'boolean' && c.ordering === 'Equals'
          : typeof expected === 'string' && parseTimestamp(expected) !== null;
  if (!ok) throw invalidRule(`${operator} needs a ${c.kind === 'Timestamp' ? 'RFC 3339 timestamp' : c.kind.toLowerCase()} value`, rule);
}

function compare(c: Comparison, value: unknown, operand: unknown): boolean {
  let order: number;
  switch (c.kind) {
    case 'String':
      if (typeof value !== 'string' || typeof operand !== 'string') return false;
      // UTF-16 code unit order, as Java's String.compareTo.
      order = value < operand ? -1 : value > operand ? 1 : 0;
      break;
    case 'Numeric':
      if (typeof value !== 'number' || typeof operand !== 'number') return false;
      order = value < operand ? -1 : value > operand ? 1 : 0;
      break;
    case 'Boolean':
      if (typeof value !== 'boolean' || typeof operand !== 'boolean') return false;
      if (c.ordering !== 'Equals') return false;
      order = value === operand ? 0 : 1;
      break;
    case 'Timestamp': {
      if (typeof value !== 'string' || typeof operand !== 'string') return false;
      const a = parseTimestamp(value);
      const b = parseTimestamp(operand);
      if (a === null || b === null) return false;
      order = compareTimestamps(a, b);
      break;
    }
  }
  switch (c.ordering) {
    case 'Equals':
      return order === 0;
    case 'LessThan':
      return order < 0;
    case 'GreaterThan':
      return order > 0;
    case 'LessThanEquals':
      return order <= 0;
    case 'GreaterThanEquals':
      return order >= 0;
  }
}

/**
 * StringMatches: `*` matches any run of characters (including none); `\*` is a literal asterisk
 * and `\\` a literal backslash (written `\\*` and `\\\\` inside JSON).
 */
export function matchesWildcard(value: string, pattern: string): boolean {
  const parts: string[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      literal += pattern[i + 1];
      i++;
    } else if (ch === '*') {
      parts.push(literal);
      literal = '';
    } else {
      literal += ch;
    }
  }
  parts.push(literal);
  if (parts.length === 1) return value === parts[0];
  // Anchored first and last pieces, greedy-free leftmost search for the middle ones.
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  const limit = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const at = value.indexOf(parts[i], pos);
    if (at < 0 || at + parts[i].length > limit) return false;
    pos = at + parts[i].length;
  }
  return true;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses a timestamp in the form AWS accepts (RFC 3339 with an uppercase `T` and `Z`) into
 * nanoseconds since the epoch, so instants compare exactly whatever their offsets and precision.
 * Returns null for anything else. Also useful for Wait's Timestamp/TimestampPath.
 */
export function parseTimestamp(text: string): bigint | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0-99 to 1900-1999
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCDate() !== day) return null; // e.g. 2023-02-30
  let offsetMinutes = 0;
  if (m[8]) {
    const offHours = Number(m[9]);
    const offMinutes = Number(m[10]);
    if (offHours > 23 || offMinutes > 59) return null;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  const fractionNanos = m[7] ? BigInt(m[7].slice(0, 9).padEnd(9, '0')) : 0n;
  return (BigInt(date.getTime()) - BigInt(offsetMinutes) * 60_000n) * 1_000_000n + fractionNanos;
}

function compareTimestamps(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
