// Payload templates (Parameters, ResultSelector, ItemSelector, Arguments): a JSON value in which any
// object key ending in `.$` is replaced by the key without the suffix and a value computed from
// its string: a path into the input (`$.x`), a path into the context object (`$$.Execution.Id`),
// or an intrinsic function call. Everything else is copied as written, at any depth.
import { StatesError } from './errors';
import type { EvalEnv } from './eval-env';
import { checkIntrinsic, evaluateIntrinsic, isIntrinsic } from './intrinsics';
import { readInputOrContext } from './json-path';

/**
 * @param field the ASL field being applied (e.g. `Parameters`), named in errors about the template itself.
 * @param env the workflow variables `$name` paths read, and intrinsics' randomness (see eval-env.ts).
 */
export function applyPayloadTemplate(template: unknown, input: unknown, context: unknown, field = 'Parameters', env?: EvalEnv): unknown {
  if (Array.isArray(template)) return template.map((item) => applyPayloadTemplate(item, input, context, field, env));
  if (template === null || typeof template !== 'object') return template;
  const source = template as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const value = source[key];
    if (!key.endsWith('.$')) {
      assertUnique(out, key, field);
      setOwn(out, key, applyPayloadTemplate(value, input, context, field, env));
      continue;
    }
    const name = key.slice(0, -2);
    assertUnique(out, name, field);
    setOwn(out, name, evaluateDynamic(key, value, input, context, field, env));
  }
  return out;
}

function evaluateDynamic(key: string, expression: unknown, input: unknown, context: unknown, field: string, env: EvalEnv | undefined): unknown {
  if (typeof expression !== 'string') {
    throw new StatesError('States.Runtime', `The value of the field '${key}' in ${field} must be a path or an intrinsic function, got ${JSON.stringify(expression)}`);
  }
  if (expression.startsWith('$')) return readInputOrContext(input, context, expression, key, env);
  if (isIntrinsic(expression)) {
    try {
      return evaluateIntrinsic(expression, input, context, env);
    } catch (err) {
      // Name the key too: the same function may appear in several fields of a state.
      if (err instanceof StatesError && err.error === 'States.IntrinsicFailure') {
        throw new StatesError(err.error, `Failed to evaluate the field '${key}' of ${field} ('${expression}'): ${err.cause}`);
      }
      throw err;
    }
  }
  throw new StatesError(
    'States.Runtime',
    `The value of the field '${key}' in ${field} must be a path (starting with $ or $$) or an intrinsic function, got '${expression}'`,
  );
}

function assertUnique(out: Record<string, unknown>, name: string, field: string): void {
  if (Object.hasOwn(out, name)) {
    throw new StatesError('States.Runtime', `The field '${name}' appears twice in ${field} (as '${name}' and '${name}.$')`);
  }
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // A key named "__proto__" must become data, not a prototype; plain assignment is faster otherwise.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Checks a template before anything runs: every `.$` value must be a path or a well-formed intrinsic
 * call with the right argument counts, and no key may appear both with and without `.$`.
 * Returns one message per problem, each naming the key by its position in the template.
 */
export function findTemplateProblems(template: unknown, field = 'Parameters'): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${where}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const source = node as Record<string, unknown>;
    for (const key in source) {
      if (!Object.hasOwn(source, key)) continue;
      const value = source[key];
      const at = `${where}.${key}`;
      if (!key.endsWith('.$')) {
        visit(value, at);
        continue;
      }
      if (Object.hasOwn(source, key.slice(0, -2))) problems.push(`${at}: '${key.slice(0, -2)}' is also given without .$`);
      if (typeof value !== 'string' || !(value.startsWith('$') || isIntrinsic(value))) {
        problems.push(`${at}: must be a path (starting with $ or $$) or an intrinsic function, got ${JSON.stringify(value)}`);
      } else if (!value.startsWith('$')) {
        try {
          checkIntrinsic(value);
        } catch (err) {
          problems.push(`${at}: ${err instanceof StatesError ? err.cause : String(err)}`);
        }
      }
    }
  };
  visit(template, field);
  return problems;
}
