// The copy of a definition asl-validator is shown. Its JSONata grammar is narrower than AWS's: it wants a space
// after `{%` and before `%}`, no line breaks in an expression, no empty strings in a JSONata template, an Output
// that is an object or an expression (AWS: "Output can also accept any type of JSON value too, for example:
// "Output":true, "Output":42"), and a Condition that is an expression (the specification: "a boolean value or a
// JSONata string"). Our own checks cover those fields (jsonata/check.ts: what each must hold, every expression
// parsed by the jsonata package itself), so in the copy each JSONata field of a JSONata state holds a stand-in
// the validator accepts; everything else it checks as written. Fields of the other query language are left out
// of the copy: query-language.ts reports them, in AWS's words.
import { jsonataFields } from './jsonata/fields';
import { isJsonataString } from './jsonata/expression';
import { mapProcessor } from './map-items';
import { fieldsNotIn, JSONATA_ONLY_FIELDS, JSONPATH_ONLY_FIELDS, languageOf } from './query-language';
import type { BranchDefinition, QueryLanguage, StateDefinition, StateMachineDefinition } from './types';

const EXPRESSION = '{% $standIn %}';

export function validatorView(definition: StateMachineDefinition): StateMachineDefinition {
  return viewBranch(definition, definition.QueryLanguage);
}

function viewBranch<B extends BranchDefinition>(branch: B, machine: QueryLanguage | undefined): B {
  if (!isObject(branch) || !isObject(branch.States)) return branch;
  const states: Record<string, StateDefinition> = {};
  for (const [name, state] of Object.entries(branch.States)) states[name] = isObject(state) ? viewState(state, machine) : state;
  return { ...branch, States: states };
}

function viewState(state: StateDefinition, machine: QueryLanguage | undefined): StateDefinition {
  const language = languageOf(state, machine);
  let copy = { ...state } as unknown as Record<string, unknown>;
  for (const field of [...(language === 'JSONata' ? JSONPATH_ONLY_FIELDS : JSONATA_ONLY_FIELDS), ...fieldsNotIn(state)]) delete copy[field];
  if (language === 'JSONata') copy = withStandIns(state, copy);
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) copy.Branches = state.Branches.map((b) => viewBranch(b, machine));
  if (state.Type === 'Map') {
    const processor = mapProcessor(state);
    if (isObject(processor)) copy[state.ItemProcessor !== undefined ? 'ItemProcessor' : 'Iterator'] = viewBranch(processor, machine);
  }
  return copy as unknown as StateDefinition;
}

function withStandIns(state: StateDefinition, copy: Record<string, unknown>): Record<string, unknown> {
  // A JSONata Choice rule is its Condition, Next, and optionally Assign and Output (JSONPath's fields in one are
  // query-language.ts's to report).
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
    copy.Choices = state.Choices.map((rule) => (isObject(rule) ? { Next: rule.Next, Condition: rule.Condition ?? EXPRESSION, ...(rule.Assign ? { Assign: rule.Assign } : {}), ...(rule.Output !== undefined ? { Output: rule.Output } : {}) } : rule));
  }
  for (const field of jsonataFields(state)) {
    const standIn = standInFor(field.kind, field.value, field.location);
    if (standIn !== KEEP) setAt(copy, field.path, standIn);
  }
  return copy;
}

const KEEP: unique symbol = Symbol('keep');

function standInFor(kind: string, value: unknown, location: string): unknown {
  // BatchInput's schema takes an expression or a template, both of which an expression matches: an object, then.
  if (location === 'ItemBatcher/BatchInput') return {};
  switch (kind) {
    case 'template':
    case 'condition':
      return EXPRESSION;
    case 'assign':
      return {};
    case 'items':
      return Array.isArray(value) ? [] : EXPRESSION;
    default: // number, string: literals are the validator's to check
      return isJsonataString(value) || (kind === 'string' && typeof value === 'string') ? EXPRESSION : KEEP;
  }
}

/** Sets `value` at `path` in `root`, copying each object on the way so the definition itself is untouched. */
function setAt(root: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]!];
    const copy: Record<string | number, unknown> = Array.isArray(next) ? [...next] as unknown as Record<number, unknown> : { ...(next as Record<string, unknown>) };
    node[path[i]!] = copy;
    node = copy;
  }
  node[path[path.length - 1]!] = value;
}

function isObject(value: unknown): value is Record<string, unknown> & BranchDefinition {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
