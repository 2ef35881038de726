// An Assign field's values, computed and checked, ready for the state's exit to store (variables.ts). In a JSONPath
// state the field is a payload template over `$` (the guide: a Task's, Map's or Parallel's result, a catcher's
// error output, a Choice's or Wait's effective input, a Pass state's result); in a JSONata state its values may
// be JSONata strings reading `$states` and the variables.
import { envOf } from './eval-env';
import { evaluateField, type JsonataScope } from './jsonata/evaluate';
import { applyPayloadTemplate } from './payload-template';
import type { StateScope } from './run-context';
import { contextFor } from './state-context';
import { prepareAssignment, type Assignment } from './variables';

export function jsonPathAssignment(scope: StateScope, assign: Record<string, unknown> | undefined, value: unknown, field = 'Assign'): Assignment | undefined {
  if (assign === undefined) return undefined;
  const values = applyPayloadTemplate(assign, value, contextFor(assign, scope), field, envOf(scope.thread)) as Record<string, unknown>;
  return prepareAssignment(scope.thread.vars, values, scope.name);
}

/** `location` names the field in errors: `Assign`, `Choices[1]/Assign`, `Catch[0]/Assign`. */
export async function jsonataAssignment(js: JsonataScope, assign: unknown, location: string): Promise<Assignment | undefined> {
  if (assign === undefined) return undefined;
  const values = (await evaluateField(js, assign, location)) as Record<string, unknown>;
  return prepareAssignment(js.scope.thread.vars, values, js.scope.name);
}
