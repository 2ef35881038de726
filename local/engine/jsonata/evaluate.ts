// Evaluating a JSONata state's fields: every JSONata string in a field's value (itself, or at any depth of an
// object or array) is replaced by its expression's result, with `$states` and the workflow variables bound.
//
// Whatever goes wrong is States.QueryEvaluationError ("a JSONata type error, an incorrectly typed result, or an
// undefined result"), recorded first as an EvaluationFailed event (error, cause, location, state), with AWS's
// cause: "An error occurred while executing the state 'S' (entered at the event id #2). The JSONata expression
// '$x' specified for the field 'Arguments/Input/x' returned nothing (undefined)." Field locations name the field
// relative to the state, `/` before each object key, `[i]` after each array index.
import type { MapItemContext } from '../context-object';
import { StatesError } from '../errors';
import { envOf } from '../eval-env';
import { record, type StateScope } from '../run-context';
import { stateContext } from '../state-context';
import { visibleVariables } from '../variables';
import { compile, describeJsonataError, expressionText, isJsonataString } from './expression';
import { functionBindings } from './functions';

export const QUERY_EVALUATION_ERROR = 'States.QueryEvaluationError';

/** What `$states` holds where a field is evaluated; `result` and `errorOutput` only where AWS allows them. */
export interface StatesBinding {
  input: unknown;
  result?: unknown;
  errorOutput?: unknown;
}

/** One state's evaluations: its scope and `$states` (context object and variables are read once, on first use). */
export interface JsonataScope {
  scope: StateScope;
  states: StatesBinding;
  /** `$states.context.Map.Item` while a Map's ItemSelector is evaluated for one item. */
  mapItem?: MapItemContext;
  bindings?: Record<string, unknown>;
}

export function jsonataScope(scope: StateScope, states: StatesBinding): JsonataScope {
  return { scope, states };
}

/** The same state's evaluations with a different `$states` (its result, or a catcher's error output). */
export function withStates(js: JsonataScope, states: StatesBinding): JsonataScope {
  return { scope: js.scope, states };
}

function bindingsOf(js: JsonataScope): Record<string, unknown> {
  if (!js.bindings) {
    const states: Record<string, unknown> = { input: js.states.input };
    // The context object is built only if an expression reads it (a getter JSONata follows like any field).
    let context: Record<string, unknown> | undefined;
    Object.defineProperty(states, 'context', {
      enumerable: true,
      get: () => (context ??= js.mapItem ? { ...stateContext(js.scope), Map: { Item: js.mapItem } } : stateContext(js.scope)),
    });
    if (Object.hasOwn(js.states, 'result')) states.result = js.states.result;
    if (Object.hasOwn(js.states, 'errorOutput')) states.errorOutput = js.states.errorOutput;
    // A variable named like a function hides the function (the specification's own Choice example assigns `range`).
    js.bindings = { ...functionBindings(envOf(js.scope.thread)), ...visibleVariables(js.scope.thread.vars), states };
  }
  return js.bindings;
}

/**
 * The value of a field: `value` with every JSONata string in it evaluated. `location` names the field
 * (`Output`, `Arguments`, `Choices[0]/Condition`...).
 */
export async function evaluateField(js: JsonataScope, value: unknown, location: string): Promise<unknown> {
  if (isJsonataString(value)) return evaluateExpression(js, value, location);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(await evaluateField(js, value[i], `${location}[${i}]`));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      setOwn(out, key, await evaluateField(js, (value as Record<string, unknown>)[key], `${location}/${key}`));
    }
    return out;
  }
  return value;
}

async function evaluateExpression(js: JsonataScope, jsonataString: string, location: string): Promise<unknown> {
  const text = expressionText(jsonataString);
  let result: unknown;
  try {
    result = await compile(text).evaluate(undefined, bindingsOf(js));
  } catch (err) {
    throw evaluationError(js, text, location, `threw an error during evaluation. ${describeJsonataError(err)}`);
  }
  if (result === undefined) throw evaluationError(js, text, location, 'returned nothing (undefined).');
  const json = toJsonValue(result);
  if (json === UNSUPPORTED) throw evaluationError(js, text, location, 'returned an unsupported result type (a function or a number JSON cannot hold).');
  return json;
}

/**
 * A field whose value must be of one kind (TimeoutSeconds, Condition...): its JSONata value when it is one, checked
 * by `check` (which returns what was expected when the value does not fit, else undefined).
 */
export async function evaluateTyped(js: JsonataScope, value: unknown, location: string, check: (v: unknown) => string | undefined): Promise<unknown> {
  const result = await evaluateField(js, value, location);
  const expected = check(result);
  if (expected !== undefined) {
    const what = isJsonataString(value) ? `The JSONata expression '${expressionText(value)}'` : `The value ${JSON.stringify(value)}`;
    throw failEvaluation(js, location, `${what} specified for the field '${location}' returned an unexpected result type: expected ${expected}, got ${JSON.stringify(result)}.`);
  }
  return result;
}

function evaluationError(js: JsonataScope, text: string, location: string, what: string): StatesError {
  return failEvaluation(js, location, `The JSONata expression '${text}' specified for the field '${location}' ${what}`);
}

/** Records EvaluationFailed and returns the error the state fails with. */
export function failEvaluation(js: JsonataScope, location: string, message: string): StatesError {
  const { scope } = js;
  const entered = scope.enteredEventId === undefined ? '' : ` (entered at the event id #${scope.enteredEventId})`;
  const cause = `An error occurred while executing the state '${scope.name}'${entered}. ${message}`;
  record(scope.thread, 'EvaluationFailed', { error: QUERY_EVALUATION_ERROR, cause, location, state: scope.name });
  return new StatesError(QUERY_EVALUATION_ERROR, cause);
}

const UNSUPPORTED: unique symbol = Symbol('unsupported');

/** A JSONata result as plain JSON (sequences become arrays); UNSUPPORTED for functions and non-finite numbers. */
function toJsonValue(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : UNSUPPORTED;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      if (item === undefined) continue;
      const json = toJsonValue(item);
      if (json === UNSUPPORTED) return UNSUPPORTED;
      out.push(json);
    }
    return out;
  }
  if (typeof value === 'object') {
    const source = value as Record<string, unknown>;
    if (source._jsonata_lambda || source._jsonata_function) return UNSUPPORTED;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source)) {
      if (source[key] === undefined) continue;
      const json = toJsonValue(source[key]);
      if (json === UNSUPPORTED) return UNSUPPORTED;
      setOwn(out, key, json);
    }
    return out;
  }
  return UNSUPPORTED;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // A key named "__proto__" must become data, not a prototype.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
