// Lambda tasks: the `lambda:invoke` integration (result wrapped as AWS wraps it) and plain function ARNs,
// through the Lambda runner or an in-process task handler.
import { randomUUID } from 'node:crypto';
import { LAMBDA_SERVICE_ERRORS } from '../../lambda/lambda-errors';
import type { LambdaError } from '../../lambda/types';
import { StatesError } from '../errors';
import type { EngineServices } from '../run-context';
import { functionNameOf } from './classify';

/** Runs a function and returns its payload, or throws the StatesError Step Functions would report. */
export async function invokeFunction(
  services: EngineServices,
  nameOrArn: string,
  payload: unknown,
  signal: AbortSignal,
): Promise<{ payload: unknown; requestId: string }> {
  const name = functionNameOf(nameOrArn);
  const inProcess = services.taskHandlers[name] ?? services.taskHandlers[nameOrArn];
  if (inProcess) {
    try {
      return { payload: await inProcess(payload), requestId: randomUUID() };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      throw lambdaError({ errorType: e.name || 'Error', errorMessage: e.message });
    }
  }
  let outcome;
  try {
    outcome = await services.lambda.invoke(nameOrArn, payload, { signal });
  } catch (err) {
    throw new StatesError('Lambda.ServiceException', err instanceof Error ? err.message : String(err));
  }
  if (outcome.ok) return { payload: outcome.payload, requestId: outcome.requestId };
  throw lambdaError(outcome.error);
}

/** A function error keeps its errorType as Error, with Lambda's error JSON as Cause; service errors get `Lambda.`. */
export function lambdaError(error: LambdaError): StatesError {
  if (LAMBDA_SERVICE_ERRORS.has(error.errorType)) return new StatesError(`Lambda.${error.errorType}`, error.errorMessage);
  const cause: LambdaError = { errorType: error.errorType, errorMessage: error.errorMessage };
  if (error.trace) cause.trace = error.trace;
  return new StatesError(error.errorType, JSON.stringify(cause));
}

/** `arn:aws:states:::lambda:invoke`: Parameters carry FunctionName and Payload; the result is the Invoke response. */
export async function lambdaInvokeTask(services: EngineServices, parameters: unknown, signal: AbortSignal): Promise<unknown> {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new StatesError('States.Runtime', 'lambda:invoke needs Parameters with FunctionName.');
  }
  const params = parameters as Record<string, unknown>;
  if (typeof params.FunctionName !== 'string') {
    throw new StatesError('States.Runtime', 'lambda:invoke: the field "FunctionName" must be a string.');
  }
  const payload = 'Payload' in params ? params.Payload : {};
  const { payload: result, requestId } = await invokeFunction(services, params.FunctionName, payload, signal);
  return {
    ExecutedVersion: '$LATEST',
    Payload: result,
    SdkHttpMetadata: {
      AllHttpHeaders: {
        'X-Amz-Executed-Version': ['$LATEST'],
        'x-amzn-Remapped-Content-Length': ['0'],
        Connection: ['keep-alive'],
        'x-amzn-RequestId': [requestId],
        'Content-Type': ['application/json'],
      },
      HttpHeaders: {
        Connection: 'keep-alive',
        'Content-Type': 'application/json',
        'X-Amz-Executed-Version': '$LATEST',
        'x-amzn-Remapped-Content-Length': '0',
        'x-amzn-RequestId': requestId,
      },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}
