// QueryLanguage: which language a state speaks, and the fields that belong to only one of the two.
// A state's language is its own QueryLanguage, else the machine's (default JSONPath); the states inside a Map or
// Parallel default to the machine's, not to the Map's or Parallel's ("independent of the Map or Parallel
// State's query language"). CreateStateMachine refuses a field of the other language, in AWS's words
// (SCHEMA_VALIDATION_FAILED): "The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for
// the 'JSONPath' QueryLanguage", and a JSONPath state in a JSONata machine: "'QueryLanguage' can not be
// 'JSONPath' if set to 'JSONata' for whole state machine".
import type { ChoiceRule } from './choice';
import type { QueryLanguage, StateDefinition } from './types';

export function languageOf(state: { QueryLanguage?: QueryLanguage }, machine: QueryLanguage | undefined): QueryLanguage {
  return state.QueryLanguage ?? machine ?? 'JSONPath';
}

/** Fields of a state that only JSONPath has (the `…Path` forms, InputPath to OutputPath, Result, ItemsPath). */
export const JSONPATH_ONLY_FIELDS = [
  'InputPath', 'OutputPath', 'ResultPath', 'ResultSelector', 'Parameters', 'Result', 'ItemsPath', 'MaxConcurrencyPath',
  'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'SecondsPath', 'TimestampPath', 'ErrorPath', 'CausePath',
  'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath',
] as const;
/** Fields of a state that only JSONata has. */
export const JSONATA_ONLY_FIELDS = ['Output', 'Arguments', 'Items'] as const;

/** The same split inside a Map's ItemReader, ReaderConfig, ItemBatcher and ResultWriter. */
const NESTED_ONLY: Record<QueryLanguage, Record<string, readonly string[]>> = {
  JSONPath: { ItemReader: ['Parameters'], 'ItemReader/ReaderConfig': ['MaxItemsPath'], ItemBatcher: ['MaxItemsPerBatchPath', 'MaxInputBytesPerBatchPath'], ResultWriter: ['Parameters'] },
  JSONata: { ItemReader: ['Arguments'], ResultWriter: ['Arguments'] },
};
/** A JSONPath Choice rule's fields (a JSONata rule has Condition instead). */
const JSONPATH_RULE_FIELDS = new Set(['Variable', 'And', 'Or', 'Not']);

/** Assign and Output where the specification has none: no Assign in Succeed and Fail, no Output in Fail. */
export function fieldsNotIn(state: StateDefinition): string[] {
  if (state.Type === 'Fail') return ['Assign', 'Output'];
  if (state.Type === 'Succeed') return ['Assign'];
  return [];
}

function misplaced(language: QueryLanguage, field: string): string {
  const other: QueryLanguage = language === 'JSONata' ? 'JSONPath' : 'JSONata';
  return `The QueryLanguage is set to '${language}', but field '${field}' is only supported for the '${other}' QueryLanguage`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The state's fields that belong to the other language, and its QueryLanguage itself, checked as
 * CreateStateMachine checks them. Each problem is `<where>[: <sub-location>]: <message>`.
 */
export function checkLanguageFields(state: StateDefinition, machine: QueryLanguage | undefined, where: string, problems: string[]): void {
  const language = languageOf(state, machine);
  if (machine === 'JSONata' && state.QueryLanguage === 'JSONPath') {
    problems.push(`${where}: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine`);
    return;
  }
  const loose = state as unknown as Record<string, unknown>;
  for (const field of fieldsNotIn(state)) if (field in loose) problems.push(`${where}: Field '${field}' is not supported in a ${state.Type} state`);
  const foreign: readonly string[] = language === 'JSONata' ? JSONPATH_ONLY_FIELDS : JSONATA_ONLY_FIELDS;
  for (const field of foreign) if (field in loose) problems.push(`${where}: ${misplaced(language, field)}`);

  const nested = NESTED_ONLY[language === 'JSONata' ? 'JSONPath' : 'JSONata'];
  for (const [path, fields] of Object.entries(nested)) {
    let node: unknown = loose;
    for (const step of path.split('/')) node = isObject(node) ? node[step] : undefined;
    if (!isObject(node)) continue;
    for (const field of fields) if (field in node) problems.push(`${where}: ${path}: ${misplaced(language, field)}`);
  }
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
    state.Choices.forEach((rule: ChoiceRule, i) => {
      if (!isObject(rule)) return;
      const at = `${where}: Choices[${i}]`;
      if (language === 'JSONata') {
        for (const key of Object.keys(rule)) {
          if (JSONPATH_RULE_FIELDS.has(key) || /^(String|Numeric|Boolean|Timestamp|Is)[A-Za-z]*$/.test(key)) problems.push(`${at}: ${misplaced(language, key)}`);
        }
        if (!('Condition' in rule)) problems.push(`${at}: a JSONata Choice rule must have a Condition`);
      } else {
        if ('Condition' in rule) problems.push(`${at}: ${misplaced(language, 'Condition')}`);
        if ('Output' in rule) problems.push(`${at}: ${misplaced(language, 'Output')}`);
      }
    });
  }
  if ('Catch' in state && Array.isArray(state.Catch)) {
    state.Catch.forEach((catcher, i) => {
      if (!isObject(catcher)) return;
      if (language === 'JSONata' && 'ResultPath' in catcher) problems.push(`${where}: Catch[${i}]: ${misplaced(language, 'ResultPath')}`);
      if (language === 'JSONPath' && 'Output' in catcher) problems.push(`${where}: Catch[${i}]: ${misplaced(language, 'Output')}`);
    });
  }
}
