// Workflow variables (`Assign`), stored as the guide's "Passing data between states with variables" defines them.
//
// Each line of states has its own scope: the execution's top-level states share one, every Parallel branch and
// every Map iteration gets its own, inside the scope of the state that started it. A scope reads its own
// variables and those of the scopes around it (a Distributed Map's children are executions of their own and see
// none); it assigns only its own (the loader refuses an inner scope assigning a name an outer scope assigns), and
// its variables go when it ends.
//
// Assignment is in two steps, as the guide orders it: every value of an Assign field is computed first (with the
// variables as they were when the state was entered), then all of them are stored, when the state exits.
// Sizes are AWS's limits: 256 KiB for one variable, 256 KiB for all the values of one Assign field, 10 MiB for
// all the variables an execution holds at once. The guide names no error for going past them; we use
// States.DataLimitExceeded, the error of every other size quota.
import { StatesError } from './errors';

export const MAX_VARIABLE_BYTES = 256 * 1024;
export const MAX_ASSIGN_BYTES = 256 * 1024;
export const MAX_EXECUTION_VARIABLE_BYTES = 10 * 1024 * 1024;

/** The one reserved name: `$states` (JSONata's input, result, error output and context). */
export const RESERVED_VARIABLE = 'states';

/**
 * AWS's rule for variable names: a Unicode identifier (ID_Start, then ID_Continue) of at most 80 characters. A
 * leading `_` is let through too ("similar to rules for JavaScript"), rather than refuse a name AWS may accept.
 */
export const VARIABLE_NAME = /^[\p{ID_Start}_]\p{ID_Continue}*/u;

export function isVariableName(name: string): boolean {
  const m = VARIABLE_NAME.exec(name);
  return name.length <= 80 && m !== null && m[0].length === name.length;
}

export interface VariableScope {
  readonly parent: VariableScope | undefined;
  /** Bytes held by every live scope of the execution, shared from its root scope down. */
  readonly totals: { bytes: number };
  /** Its variables, each with its size; made at the first assignment (most Map iterations assign none). */
  variables: Map<string, Variable> | undefined;
}

interface Variable {
  value: unknown;
  bytes: number;
}

export function rootScope(initial?: Record<string, unknown>): VariableScope {
  const scope: VariableScope = { parent: undefined, totals: { bytes: 0 }, variables: undefined };
  if (initial) commitAssignment(scope, prepareAssignment(scope, initial, '', false));
  return scope;
}

/** The scope of a Parallel branch or a Map iteration run from a state whose scope is `parent`. */
export function innerScope(parent: VariableScope): VariableScope {
  return { parent, totals: parent.totals, variables: undefined };
}

/** A branch or iteration ended: its variables go, and stop counting against the execution's total. */
export function closeScope(scope: VariableScope): void {
  if (!scope.variables) return;
  for (const { bytes } of scope.variables.values()) scope.totals.bytes -= bytes;
  scope.variables = undefined;
}

/** The value of variable `name` as `scope` sees it; undefined when it has none. */
export function readVariable(scope: VariableScope, name: string): unknown {
  for (let s: VariableScope | undefined = scope; s; s = s.parent) {
    const variable = s.variables?.get(name);
    if (variable) return variable.value;
  }
  return undefined;
}

/** Every variable `scope` sees, inner scopes first (they cannot share a name with an outer one anyway). */
export function visibleVariables(scope: VariableScope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let s: VariableScope | undefined = scope; s; s = s.parent) {
    if (!s.variables) continue;
    for (const [name, { value }] of s.variables) if (!Object.hasOwn(out, name)) out[name] = value;
  }
  return out;
}

/** The values of one Assign field, computed and checked, waiting for the state to exit. */
export interface Assignment {
  values: Record<string, unknown>;
  /** Each value as JSON text: the history's `assignedVariables`. */
  texts: Record<string, string>;
  /** Each value's size in UTF-8 bytes. */
  bytes: Record<string, number>;
}

/**
 * Checks the values an Assign field computed against AWS's limits. `stateName` names the state in errors.
 * @param limited false for TestState's given variables, which no Assign field set.
 */
export function prepareAssignment(scope: VariableScope, values: Record<string, unknown>, stateName: string, limited = true): Assignment {
  const texts: Record<string, string> = {};
  const sizes: Record<string, number> = {};
  let total = 0;
  let delta = 0;
  for (const name of Object.keys(values)) {
    const text = JSON.stringify(values[name]) ?? 'null';
    const bytes = Buffer.byteLength(text, 'utf8');
    if (limited && bytes > MAX_VARIABLE_BYTES) {
      throw new StatesError('States.DataLimitExceeded', `The value assigned to the variable '${name}' in state '${stateName}' is ${bytes} bytes, above the maximum of ${MAX_VARIABLE_BYTES} bytes for a variable.`);
    }
    texts[name] = text;
    sizes[name] = bytes;
    total += bytes;
    delta += bytes - (scope.variables?.get(name)?.bytes ?? 0);
  }
  if (limited && total > MAX_ASSIGN_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `The values assigned in the Assign field of state '${stateName}' are ${total} bytes together, above the maximum of ${MAX_ASSIGN_BYTES} bytes for one Assign field.`);
  }
  if (limited && scope.totals.bytes + delta > MAX_EXECUTION_VARIABLE_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `Assigning the variables of state '${stateName}' would make the execution's variables ${scope.totals.bytes + delta} bytes, above the maximum of ${MAX_EXECUTION_VARIABLE_BYTES} bytes for an execution.`);
  }
  return { values, texts, bytes: sizes };
}

/** Stores a prepared assignment in `scope`; returns what the state's exit event records (`assignedVariables`). */
export function commitAssignment(scope: VariableScope, assignment: Assignment): Record<string, string> {
  const variables = (scope.variables ??= new Map());
  for (const name of Object.keys(assignment.values)) {
    const bytes = assignment.bytes[name]!;
    scope.totals.bytes += bytes - (variables.get(name)?.bytes ?? 0);
    variables.set(name, { value: assignment.values[name], bytes });
  }
  return assignment.texts;
}
