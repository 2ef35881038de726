// Load-time checks of a JSONata state's fields, as CreateStateMachine makes them: each field holds what it must
// (jsonata/fields.ts), every JSONata string is well delimited and parses, and no expression reads what a
// JSONata state has no access to:
// - the input document: the guide's states have none, so "a JSONata expression MUST NOT reference $ or
//   unqualified field names at the top level" and "MUST NOT reference $$" (AWS: UNSUPPORTED_JSONATA_EXPRESSION,
//   "Reference to 'phone' at the top level is not supported"). Only what is plainly top level is refused here
//   (the expression, a block's expressions, operands, function arguments, constructors, the first step of a
//   path), never a name inside a predicate, a later path step or a function body;
// - `$states.result` outside a Task's, Map's or Parallel's own Output and Assign, `$states.errorOutput` outside
//   a catcher's ("caught at creation, update, or validation of the state machine").
import type { StateDefinition } from '../types';
import { isVariableName, RESERVED_VARIABLE } from '../variables';
import { describeJsonataError, expressionText, isJsonataString, isMalformedJsonataString, parse, type ExpressionNode } from './expression';
import { jsonataFields, type JsonataField } from './fields';

/** Every problem of the state's JSONata fields, each as `<where>: <field location>: <message>`. */
export function checkJsonataFields(state: StateDefinition, where: string, problems: string[]): void {
  for (const field of jsonataFields(state)) {
    const report = (location: string, message: string) => problems.push(`${where}: ${location}: ${message}`);
    checkField(field, report);
  }
}

type Report = (location: string, message: string) => void;

function checkField(field: JsonataField, report: Report): void {
  const { value, location } = field;
  switch (field.kind) {
    case 'template':
      checkTemplate(field, value, location, report);
      return;
    case 'assign':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        report(location, `must be a JSON object (variable names to values), got ${JSON.stringify(value)}`);
        return;
      }
      for (const [name, entry] of Object.entries(value)) {
        checkVariableName(name, `${location}/${name}`, report);
        checkTemplate(field, entry, `${location}/${name}`, report);
      }
      return;
    case 'number':
      if (typeof value === 'number') return;
      if (isJsonataString(value)) checkExpression(field, value, location, report);
      else report(location, `must be a number or a JSONata string ({% ... %}), got ${JSON.stringify(value)}`);
      return;
    case 'string':
      if (typeof value !== 'string') report(location, `must be a string, got ${JSON.stringify(value)}`);
      else checkString(field, value, location, report);
      return;
    case 'items':
      if (Array.isArray(value)) checkTemplate(field, value, location, report);
      else if (isJsonataString(value)) checkExpression(field, value, location, report);
      else report(location, `must be a JSON array or a JSONata string ({% ... %}) giving one, got ${JSON.stringify(value)}`);
      return;
    case 'condition':
      if (typeof value === 'boolean') return;
      if (isJsonataString(value)) checkExpression(field, value, location, report);
      else report(location, `must be true, false or a JSONata string ({% ... %}), got ${JSON.stringify(value)}`);
      return;
  }
}

/** An Assign key: a variable name (JSONPath keys end in `.$`, which is not part of the name). */
export function checkVariableName(key: string, location: string, report: Report): void {
  const name = key.endsWith('.$') ? key.slice(0, -2) : key;
  if (name === RESERVED_VARIABLE) report(location, `'${RESERVED_VARIABLE}' is reserved and cannot be assigned`);
  else if (!isVariableName(name)) report(location, `'${name}' is not a valid variable name (a Unicode identifier of at most 80 characters)`);
}

function checkTemplate(field: JsonataField, value: unknown, location: string, report: Report): void {
  if (typeof value === 'string') checkString(field, value, location, report);
  else if (Array.isArray(value)) value.forEach((item, i) => checkTemplate(field, item, `${location}[${i}]`, report));
  else if (value !== null && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) checkTemplate(field, entry, `${location}/${key}`, report);
  }
}

function checkString(field: JsonataField, value: string, location: string, report: Report): void {
  if (isJsonataString(value)) checkExpression(field, value, location, report);
  else if (isMalformedJsonataString(value)) {
    report(location, `a JSONata string must start with '{%' and end with '%}', with nothing before or after them: ${JSON.stringify(value)}`);
  }
}

function checkExpression(field: JsonataField, value: string, location: string, report: Report): void {
  const text = expressionText(value);
  if (text === '') {
    report(location, 'INVALID_JSONATA_EXPRESSION: the JSONata string {% %} holds no expression');
    return;
  }
  let ast: ExpressionNode;
  try {
    ast = parse(text);
  } catch (err) {
    report(location, `INVALID_JSONATA_EXPRESSION: ${describeJsonataError(err)} in '${text}'`);
    return;
  }
  for (const message of topLevelReferences(ast)) report(location, `UNSUPPORTED_JSONATA_EXPRESSION: ${message}`);
  walk(ast, (node) => {
    if (node.type === 'variable' && node.value === '$') report(location, "UNSUPPORTED_JSONATA_EXPRESSION: Reference to '$$' is not supported.");
    const states = statesField(node);
    if (states === 'result' && !field.result) {
      report(location, "UNSUPPORTED_JSONATA_EXPRESSION: '$states.result' is only available in the Output and Assign of a Task, Map or Parallel state.");
    }
    if (states === 'errorOutput' && !field.errorOutput) {
      report(location, "UNSUPPORTED_JSONATA_EXPRESSION: '$states.errorOutput' is only available in a catcher's Output and Assign.");
    }
  });
}

/** `result` for `$states.result...`, `errorOutput` for `$states.errorOutput...`. */
function statesField(node: ExpressionNode): string | undefined {
  if (node.type !== 'path' || !node.steps || node.steps.length < 2) return undefined;
  const [first, second] = node.steps;
  if (first?.type !== 'variable' || first.value !== RESERVED_VARIABLE || second?.type !== 'name') return undefined;
  return String(second.value);
}

/** The references to the (absent) input document at the top level of an expression. */
function topLevelReferences(node: ExpressionNode | undefined): string[] {
  if (!node) return [];
  switch (node.type) {
    case 'name':
      return [`Reference to '${String(node.value)}' at the top level is not supported.`];
    case 'variable':
      return node.value === '' ? ["Reference to '$' at the top level is not supported."] : [];
    case 'path':
      return topLevelReferences(node.steps?.[0]);
    case 'block':
      return (node.expressions ?? []).flatMap(topLevelReferences);
    case 'binary':
    case 'apply':
      return [...topLevelReferences(node.lhs as ExpressionNode), ...topLevelReferences(node.rhs)];
    case 'bind':
      return topLevelReferences(node.rhs);
    case 'condition':
      return [...topLevelReferences(node.condition), ...topLevelReferences(node.then), ...topLevelReferences(node.else)];
    case 'function':
    case 'partial':
      return (node.arguments ?? []).flatMap(topLevelReferences);
    case 'unary':
      if (node.value === '[') return (node.expressions ?? []).flatMap(topLevelReferences);
      if (node.value === '{') return ((node.lhs ?? []) as [ExpressionNode, ExpressionNode][]).flatMap(([k, v]) => [...topLevelReferences(k), ...topLevelReferences(v)]);
      return topLevelReferences(node.expression);
    default:
      return [];
  }
}

/** Calls `visit` on every node of the tree. */
function walk(node: unknown, visit: (node: ExpressionNode) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (typeof (node as ExpressionNode).type === 'string') visit(node as ExpressionNode);
  for (const value of Object.values(node)) if (value !== null && typeof value === 'object') walk(value, visit);
}
