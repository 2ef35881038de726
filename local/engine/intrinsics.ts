// Evaluates an intrinsic function expression (the value of a `.$` key that starts with `States.`).
import { StatesError } from './errors';
import type { EvalEnv } from './eval-env';
import { readPath } from './json-path';
import { INTRINSIC_FUNCTIONS, checkArgumentCount } from './intrinsics/functions';
import { isIntrinsic, parseIntrinsic, type IntrinsicArg, type IntrinsicCall } from './intrinsics/parser';

export { isIntrinsic, parseIntrinsic, MAX_FUNCTIONS_PER_FIELD } from './intrinsics/parser';
export type { IntrinsicArg, IntrinsicCall } from './intrinsics/parser';

export const INTRINSIC_FUNCTION_NAMES: readonly string[] = Object.keys(INTRINSIC_FUNCTIONS);

/**
 * Parses and checks an expression without running it (syntax, function names, argument counts),
 * so a definition can be rejected before it runs. Throws States.IntrinsicFailure.
 */
export function checkIntrinsic(expression: string): void {
  const visit = (call: IntrinsicCall): void => {
    checkArgumentCount(call.name, call.args.length);
    for (const arg of call.args) if (arg.kind === 'call') visit(arg);
  };
  visit(parseIntrinsic(expression));
}

/**
 * Runs `expression` against the state input (`$...` arguments), the context object (`$$...` arguments) and the
 * workflow variables (`$name...` arguments) of `env`, which also supplies MathRandom's and UUID's randomness.
 */
export function evaluateIntrinsic(expression: string, input: unknown, context: unknown, env?: EvalEnv): unknown {
  if (!isIntrinsic(expression)) {
    throw new StatesError('States.IntrinsicFailure', `'${expression}' is not an intrinsic function call`);
  }
  return evaluateCall(parseIntrinsic(expression), input, context, env);
}

function evaluateCall(call: IntrinsicCall, input: unknown, context: unknown, env: EvalEnv | undefined): unknown {
  checkArgumentCount(call.name, call.args.length);
  const values = call.args.map((arg) => evaluateArg(arg, input, context, env));
  return INTRINSIC_FUNCTIONS[call.name].run({ name: call.name, values, args: call.args, draws: env });
}

function evaluateArg(arg: IntrinsicArg, input: unknown, context: unknown, env: EvalEnv | undefined): unknown {
  switch (arg.kind) {
    case 'literal':
      return arg.value;
    case 'call':
      return evaluateCall(arg, input, context, env);
    case 'path': {
      const fromContext = arg.path.startsWith('$$');
      const data = fromContext ? context : input;
      const path = fromContext ? arg.path.slice(1) : arg.path;
      try {
        return readPath(data, path, undefined, env);
      } catch (err) {
        if (!(err instanceof StatesError) || !err.cause.includes('No results for path')) throw err;
        // AWS's wording for a path argument of an intrinsic that matches nothing.
        throw new StatesError(
          'States.Runtime',
          `The JsonPath argument for the field '${arg.path}' could not be found in the input '${JSON.stringify(data) ?? 'null'}'`,
        );
      }
    }
  }
}
