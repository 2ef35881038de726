// JSONata strings: the `{% … %}` values of a JSONata state's fields, and their compiled expressions.
// The guide: "the string must start with {% with no leading spaces, and must end with %} with no trailing
// spaces. Improperly opening or closing the expression will result in a validation error."
import jsonata from 'jsonata';
import { addStaticFunctions } from './functions';

export type Expression = jsonata.Expression;

/** A node of a parsed expression, as the jsonata package builds them (its typings leave out some node types). */
export interface ExpressionNode {
  type: string;
  value?: unknown;
  steps?: ExpressionNode[];
  expressions?: ExpressionNode[];
  arguments?: ExpressionNode[];
  expression?: ExpressionNode;
  lhs?: ExpressionNode | [ExpressionNode, ExpressionNode][];
  rhs?: ExpressionNode;
  condition?: ExpressionNode;
  then?: ExpressionNode;
  else?: ExpressionNode;
}

/** The syntax tree of `text` (throws JSONata's syntax error). */
export function parse(text: string): ExpressionNode {
  return compile(text).ast() as unknown as ExpressionNode;
}

/** Whether `value` is a JSONata string: evaluated, where any other string is taken as written. */
export function isJsonataString(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 4 && value.startsWith('{%') && value.endsWith('%}');
}

/** A string that looks meant as a JSONata string but is not delimited as the guide requires. */
export function isMalformedJsonataString(value: string): boolean {
  const trimmed = value.trim();
  return (trimmed.startsWith('{%') || trimmed.endsWith('%}')) && !isJsonataString(value);
}

/** The expression inside a JSONata string, as AWS quotes it in errors. */
export function expressionText(jsonataString: string): string {
  return jsonataString.slice(2, -2).trim();
}

const compiledCache = new Map<string, Expression>();
const CACHE_LIMIT = 10_000;

/** The compiled expression of `text` (throws JSONata's syntax error, with its `code`). Compiled once per text. */
export function compile(text: string): Expression {
  let expression = compiledCache.get(text);
  if (!expression) {
    expression = jsonata(text);
    addStaticFunctions(expression);
    if (compiledCache.size >= CACHE_LIMIT) compiledCache.clear();
    compiledCache.set(text, expression);
  }
  return expression;
}

/** JSONata's error text: `T2002: The right side of the "+" operator must evaluate to a number`. */
export function describeJsonataError(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    return typeof code === 'string' ? `${code}: ${String(message)}` : String(message);
  }
  return String(err);
}
