// Load-time check of the guide's scope rule: "a variable assigned in an inner scope cannot have the same name as
// one assigned in an outer scope". A scope is the states of one States field (the machine's, a Parallel branch's,
// a Map's ItemProcessor); a state's Assign, its Choice rules' and its catchers' assign in the scope the state is
// in (a Map's or Parallel's catchers assign in the scope around it, where the Map or Parallel is).
import { mapProcessor } from './map-items';
import type { BranchDefinition, StateDefinition } from './types';

/** Variable names an Assign field sets (a JSONPath key's `.$` is not part of the name). */
function assignedNames(assign: unknown): string[] {
  if (assign === null || typeof assign !== 'object' || Array.isArray(assign)) return [];
  return Object.keys(assign).map((key) => (key.endsWith('.$') ? key.slice(0, -2) : key));
}

function namesOf(state: StateDefinition): string[] {
  const names = assignedNames(state.Assign);
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) for (const rule of state.Choices) names.push(...assignedNames(rule?.Assign));
  if ('Catch' in state && Array.isArray(state.Catch)) for (const catcher of state.Catch) names.push(...assignedNames(catcher?.Assign));
  return names;
}

function innerBranches(state: StateDefinition): { branch: BranchDefinition; label: string }[] {
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) return state.Branches.map((branch, i) => ({ branch, label: `branch ${i}` }));
  if (state.Type === 'Map') {
    const processor = mapProcessor(state);
    return processor && typeof processor === 'object' ? [{ branch: processor, label: 'ItemProcessor' }] : [];
  }
  return [];
}

/**
 * Reports each state of an inner scope that assigns a name an enclosing scope assigns.
 * @param outer names assigned in the enclosing scopes, with the state that assigns each.
 */
export function checkVariableScopes(branch: BranchDefinition, problems: string[], prefix = '', outer: ReadonlyMap<string, string> = new Map()): void {
  const states = branch && typeof branch.States === 'object' && branch.States !== null ? Object.entries(branch.States) : [];
  const here = new Map(outer);
  for (const [name, state] of states) {
    if (!state || typeof state !== 'object') continue;
    for (const variable of namesOf(state)) {
      const owner = outer.get(variable);
      if (owner !== undefined) {
        problems.push(`${prefix}state '${name}': Assign: the variable '${variable}' is also assigned in an enclosing scope (by state '${owner}'); a variable assigned inside a Map or Parallel cannot have the name of one assigned outside it`);
      } else if (!here.has(variable)) {
        here.set(variable, name);
      }
    }
  }
  for (const [name, state] of states) {
    if (!state || typeof state !== 'object') continue;
    for (const inner of innerBranches(state)) checkVariableScopes(inner.branch, problems, `${prefix}state '${name}' > ${inner.label}: `, here);
  }
}
