// Which fields of a JSONata state take JSONata, what each must hold, and which `$states` fields each may read
// (the ASL specification's "JSONata Concepts" and each state type's JSONata section).
import type { StateDefinition } from '../types';

/**
 * - template: any JSON, with JSONata strings anywhere in it (Output, Arguments, ItemSelector...);
 * - assign: an object of templates, one per variable;
 * - number: a number, or a JSONata string giving one (TimeoutSeconds, MaxConcurrency...);
 * - string: a string, or a JSONata string giving one (Fail's Error and Cause, Wait's Timestamp);
 * - items: an array of templates, or a JSONata string giving an array (Map's Items);
 * - condition: true, false, or a JSONata string giving one (a Choice rule's Condition).
 */
export type JsonataFieldKind = 'template' | 'assign' | 'number' | 'string' | 'items' | 'condition';

export interface JsonataField {
  /** The field's place in the state, as AWS names it in errors: `Output`, `ItemReader/Arguments`, `Catch[0]/Assign`. */
  location: string;
  /** The steps to it from the state object. */
  path: (string | number)[];
  value: unknown;
  kind: JsonataFieldKind;
  /** `$states.result` may be read here (a Task's, Map's or Parallel's own Output and Assign). */
  result: boolean;
  /** `$states.errorOutput` may be read here (a catcher's Output and Assign). */
  errorOutput: boolean;
}

const RESULT_STATES = new Set(['Task', 'Map', 'Parallel']);

/** The JSONata-capable fields the state has (those it leaves out are not listed). */
export function jsonataFields(state: StateDefinition): JsonataField[] {
  const fields: JsonataField[] = [];
  const loose = state as unknown as Record<string, unknown>;
  const add = (path: (string | number)[], kind: JsonataFieldKind, opts: { result?: boolean; errorOutput?: boolean } = {}) => {
    let value: unknown = loose;
    for (const step of path) {
      if (value === null || typeof value !== 'object') return;
      value = (value as Record<string | number, unknown>)[step];
    }
    if (value === undefined) return;
    const location = path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `/${s}`)).join('');
    fields.push({ location, path, value, kind, result: opts.result ?? false, errorOutput: opts.errorOutput ?? false });
  };
  const result = RESULT_STATES.has(state.Type);
  if (state.Type !== 'Fail') add(['Output'], 'template', { result });
  if (state.Type !== 'Fail' && state.Type !== 'Succeed') add(['Assign'], 'assign', { result });
  switch (state.Type) {
    case 'Task':
      add(['Arguments'], 'template');
      add(['TimeoutSeconds'], 'number');
      add(['HeartbeatSeconds'], 'number');
      break;
    case 'Parallel':
      add(['Arguments'], 'template');
      break;
    case 'Map':
      add(['Items'], 'items');
      add(['ItemSelector'], 'template');
      add(['MaxConcurrency'], 'number');
      add(['ToleratedFailurePercentage'], 'number');
      add(['ToleratedFailureCount'], 'number');
      add(['ItemReader', 'Arguments'], 'template');
      add(['ItemReader', 'ReaderConfig', 'MaxItems'], 'number');
      add(['ItemBatcher', 'MaxItemsPerBatch'], 'number');
      add(['ItemBatcher', 'MaxInputBytesPerBatch'], 'number');
      add(['ItemBatcher', 'BatchInput'], 'template');
      add(['ResultWriter', 'Arguments'], 'template');
      break;
    case 'Choice':
      (Array.isArray(state.Choices) ? state.Choices : []).forEach((_, i) => {
        add(['Choices', i, 'Condition'], 'condition');
        add(['Choices', i, 'Output'], 'template');
        add(['Choices', i, 'Assign'], 'assign');
      });
      break;
    case 'Wait':
      add(['Seconds'], 'number');
      add(['Timestamp'], 'string');
      break;
    case 'Fail':
      add(['Error'], 'string');
      add(['Cause'], 'string');
      break;
    default:
      break;
  }
  if (result && 'Catch' in state && Array.isArray(state.Catch)) {
    state.Catch.forEach((_, i) => {
      add(['Catch', i, 'Output'], 'template', { errorOutput: true });
      add(['Catch', i, 'Assign'], 'assign', { errorOutput: true });
    });
  }
  return fields;
}
