// Reads asl/*.asl.json, swaps `${Name}` placeholders for deploy-time values and works out what each
// state machine touches (functions, S3 for ItemReader/ResultWriter, child executions) so its IAM
// role can be derived from the definition instead of being maintained by hand.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findPlaceholders as placeholdersIn, substitutePlaceholders as substitute } from '../handlers/asl-placeholders';

export interface AslFile {
  /** `video` for asl/video.asl.json: names the state machine and its outputs. */
  machine: string;
  path: string;
  definition: AslNode;
  /** What its ItemReaders with run-time keys read, by Map state (StateMachineSource.itemReaderKeys). */
  itemReaderKeys: Readonly<Record<string, string>>;
}

export type AslValue = string | number | boolean | null | AslValue[] | AslNode;
export interface AslNode {
  [key: string]: AslValue;
}

const MACHINE_NAME = /^[a-z][a-z0-9-]*$/;

/** A state machine to deploy: its name and its ASL file (a pipeline's declaration gives both). */
export interface StateMachineSource {
  name: string;
  aslPath: string;
  /**
   * The key (or prefix) each ItemReader whose key is chosen at run time (`Key.$`) reads, by Map state name,
   * as an IAM pattern (`jobs/*\/work/chunks.json`): the role may read those alone. An undeclared one may read
   * anything under `jobs/`.
   */
  itemReaderKeys?: Readonly<Record<string, string>>;
}

/** A pipeline's state machine as the stack deploys it; `asl` is relative to the repository root `root`. */
export function pipelineStateMachine(pipeline: { name: string; asl: string; itemReaderKeys?: Readonly<Record<string, string>> }, root: string): StateMachineSource {
  return { name: pipeline.name, aslPath: resolve(root, pipeline.asl), itemReaderKeys: pipeline.itemReaderKeys };
}

export function loadAslFile(source: StateMachineSource): AslFile {
  const { name: machine, aslPath: path } = source;
  if (!MACHINE_NAME.test(machine)) {
    throw new Error(`${path}: state machine names must be lower-case kebab (${MACHINE_NAME}), got "${machine}"`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!isNode(parsed) || !isNode(parsed.States) || typeof parsed.StartAt !== 'string') {
    throw new Error(`${path}: not a state machine definition (needs "StartAt" and "States")`);
  }
  return { machine, path, definition: parsed, itemReaderKeys: source.itemReaderKeys ?? {} };
}

/** Every `${Name}` placeholder used anywhere in the definition, sorted and unique. */
export function findPlaceholders(definition: AslNode): string[] {
  return placeholdersIn(definition);
}

/**
 * Replaces placeholders with the given values. An unknown placeholder is an error naming the file and
 * placeholder: left in place it would reach Terraform as an interpolation of something that does not exist.
 */
export function substitutePlaceholders(file: AslFile, values: Readonly<Record<string, string>>): AslNode {
  const { value, problems, unknown } = substitute(file.definition, values);
  if (unknown.length > 0) {
    const known = Object.keys(values).sort().join(', ');
    throw new Error(`${file.path}: unknown placeholder(s) ${unknown.map((n) => `\${${n}}`).join(', ')}; known: ${known}`);
  }
  if (problems.length > 0) throw new Error(`${file.path}: ${problems.join('; ')}`);
  return value as AslNode;
}

/**
 * Terraform reads every string as a template: a literal `%{` would start a directive. `${` cannot
 * appear any more (placeholders are gone), so only `%{` needs its Terraform escape `%%{`.
 */
export function escapeTerraformDirectives(json: string): string {
  return json.replace(/%\{/g, '%%{');
}

/** Where a state reads or writes S3 on the state machine's own behalf. */
export interface S3Location {
  state: string;
  /** The bucket as written (placeholder already substituted), or undefined when chosen at run time. */
  bucket?: string;
  /** Literal key or prefix, or undefined when chosen at run time. */
  keyOrPrefix?: string;
}

export interface ItemReaderUse extends S3Location {
  /** `getObject` reads one manifest; `listObjectsV2` lists a prefix. */
  api: 'getObject' | 'listObjectsV2';
}

export type ProgressTableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:DeleteItem';

export interface DefinitionUses {
  /** Catalog names of the functions invoked (from `${<Name>Arn}` placeholders). */
  functions: string[];
  distributedMap: boolean;
  /**
   * State machine ARNs (literal or placeholder-substituted) started by `states:startExecution` tasks;
   * `self` when the task starts its own machine (`"StateMachineArn.$": "$$.StateMachine.Id"`).
   */
  startExecution: { stateMachineArn?: string; self?: boolean; sync: boolean }[];
  itemReaders: ItemReaderUse[];
  resultWriters: S3Location[];
  /** DynamoDB actions called directly by Task states (optimized integrations). */
  tableActions: ProgressTableAction[];
}

const DYNAMODB_TASKS: Record<string, ProgressTableAction> = {
  'arn:aws:states:::dynamodb:getItem': 'dynamodb:GetItem',
  'arn:aws:states:::dynamodb:putItem': 'dynamodb:PutItem',
  'arn:aws:states:::dynamodb:updateItem': 'dynamodb:UpdateItem',
  'arn:aws:states:::dynamodb:deleteItem': 'dynamodb:DeleteItem',
};

/**
 * Reads the placeholder-bearing definition (before substitution, so function references are still
 * catalog names) and lists what its role must allow. An integration this does not know is an error:
 * granting it silently would be guessing, denying it silently would fail only in AWS.
 */
export function analyzeDefinition(file: AslFile, functionNames: readonly string[]): DefinitionUses {
  const uses: DefinitionUses = { functions: [], distributedMap: false, startExecution: [], itemReaders: [], resultWriters: [], tableActions: [] };
  const functionByPlaceholder = new Map(functionNames.map((name) => [`${name}Arn`, name]));
  for (const placeholder of findPlaceholders(file.definition)) {
    const fn = functionByPlaceholder.get(placeholder);
    if (fn) uses.functions.push(fn);
  }
  uses.functions.sort();

  visitStates(file.definition, (stateName, state) => {
    if (state.Type === 'Map') {
      const processor = asNode(state.ItemProcessor) ?? asNode(state.Iterator);
      if (asNode(processor?.ProcessorConfig)?.Mode === 'DISTRIBUTED') uses.distributedMap = true;
      const reader = asNode(state.ItemReader);
      if (reader) uses.itemReaders.push(readItemReader(file, stateName, reader));
      const writer = asNode(state.ResultWriter);
      if (writer) uses.resultWriters.push({ state: stateName, ...readBucketAndKey(writer, 'Prefix') });
    }
    if (state.Type === 'Task') {
      const resource = state.Resource;
      if (typeof resource !== 'string') throw new Error(`${file.path}: state "${stateName}" has no string "Resource"`);
      classifyTask(file, stateName, state, resource, uses);
    }
  });
  uses.tableActions = [...new Set(uses.tableActions)].sort();
  return uses;
}

function classifyTask(file: AslFile, stateName: string, state: AslNode, resource: string, uses: DefinitionUses): void {
  if (resource === 'arn:aws:states:::lambda:invoke' || resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') return;
  // A bare function ARN (legacy form) is a function placeholder: covered by uses.functions.
  if (/^\$\{[A-Za-z0-9]+Arn\}$/.test(resource)) return;
  const startExecution = /^arn:aws:states:::states:startExecution(\.sync(:2)?|\.waitForTaskToken)?$/.exec(resource);
  if (startExecution) {
    const args = asNode(state.Parameters) ?? asNode(state.Arguments);
    const arn = args?.StateMachineArn;
    uses.startExecution.push({
      stateMachineArn: typeof arn === 'string' && !arn.startsWith('{%') ? arn : undefined,
      ...(args?.['StateMachineArn.$'] === '$$.StateMachine.Id' ? { self: true } : {}),
      sync: startExecution[1]?.startsWith('.sync') ?? false,
    });
    return;
  }
  const tableAction = DYNAMODB_TASKS[resource];
  if (tableAction) {
    uses.tableActions.push(tableAction);
    return;
  }
  throw new Error(
    `${file.path}: state "${stateName}" uses integration "${resource}", which infra does not grant; ` +
      'supported: lambda:invoke, states:startExecution, dynamodb get/put/update/deleteItem (extend infra/asl-definition.ts)',
  );
}

/**
 * The readers with the declared keys in place of run-time ones. A declaration naming no such reader, or a
 * reader with a literal key, is an error naming the file and state: it would be a grant nobody uses.
 */
export function withDeclaredReaderKeys(file: AslFile, readers: readonly ItemReaderUse[]): ItemReaderUse[] {
  for (const state of Object.keys(file.itemReaderKeys)) {
    const reader = readers.find((r) => r.state === state);
    if (!reader) throw new Error(`${file.path}: itemReaderKeys names "${state}", which is not a Map state with an ItemReader`);
    if (reader.keyOrPrefix !== undefined) {
      throw new Error(`${file.path}: itemReaderKeys names "${state}", whose ItemReader reads the literal "${reader.keyOrPrefix}" already`);
    }
  }
  return readers.map((r) => (r.keyOrPrefix === undefined && file.itemReaderKeys[r.state] !== undefined ? { ...r, keyOrPrefix: file.itemReaderKeys[r.state] } : r));
}

function readItemReader(file: AslFile, stateName: string, reader: AslNode): ItemReaderUse {
  const resource = reader.Resource;
  let api: ItemReaderUse['api'];
  if (resource === 'arn:aws:states:::s3:getObject') api = 'getObject';
  else if (resource === 'arn:aws:states:::s3:listObjectsV2') api = 'listObjectsV2';
  else throw new Error(`${file.path}: state "${stateName}" ItemReader resource "${String(resource)}" is not supported (s3:getObject, s3:listObjectsV2)`);
  return { state: stateName, api, ...readBucketAndKey(reader, api === 'getObject' ? 'Key' : 'Prefix') };
}

// JSONPath states write `Key.$` for run-time values; JSONata states write `{% ... %}` strings.
function readBucketAndKey(block: AslNode, keyField: 'Key' | 'Prefix'): { bucket?: string; keyOrPrefix?: string } {
  const args = asNode(block.Parameters) ?? asNode(block.Arguments) ?? {};
  const literal = (field: string) => {
    const value = args[field];
    return typeof value === 'string' && !value.startsWith('{%') ? value : undefined;
  };
  return { bucket: literal('Bucket'), keyOrPrefix: literal(keyField) };
}

/** Calls `visit` for every state, including those nested in Parallel branches and Map processors. */
export function visitStates(definition: AslNode, visit: (name: string, state: AslNode) => void): void {
  const states = asNode(definition.States);
  if (!states) return;
  for (const [name, value] of Object.entries(states)) {
    const state = asNode(value);
    if (!state) continue;
    visit(name, state);
    for (const nested of [state.ItemProcessor, state.Iterator]) {
      const node = asNode(nested);
      if (node) visitStates(node, visit);
    }
    if (Array.isArray(state.Branches)) {
      for (const branch of state.Branches) {
        const node = asNode(branch);
        if (node) visitStates(node, visit);
      }
    }
  }
}

function isNode(value: unknown): value is AslNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asNode(value: AslValue | undefined): AslNode | undefined {
  return isNode(value) ? value : undefined;
}
