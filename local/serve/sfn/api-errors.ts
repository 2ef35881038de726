// Engine errors as Step Functions API errors: a StatesError named for an API error
// (`ExecutionDoesNotExist`, or `StepFunctions.ExecutionAlreadyExistsException` as a task sees it) becomes
// that error; a definition the loader refuses becomes InvalidDefinition. Anything else is a server fault and
// is rethrown for the HTTP front to report as such.
import { DefinitionError, StatesError } from '../../engine';
import { ApiError } from '../api-types';

// Every error the Step Functions API defines (the SDK's model); the `…Exception` ones keep their suffix.
const API_ERRORS = new Set([
  'ActivityAlreadyExists', 'ActivityDoesNotExist', 'ActivityLimitExceeded', 'ActivityWorkerLimitExceeded',
  'ConflictException', 'ExecutionAlreadyExists', 'ExecutionDoesNotExist', 'ExecutionLimitExceeded',
  'ExecutionNotRedrivable', 'InvalidArn', 'InvalidDefinition', 'InvalidEncryptionConfiguration',
  'InvalidExecutionInput', 'InvalidLoggingConfiguration', 'InvalidName', 'InvalidOutput', 'InvalidToken',
  'InvalidTracingConfiguration', 'KmsAccessDeniedException', 'KmsInvalidStateException', 'KmsThrottlingException',
  'MissingRequiredParameter', 'ResourceNotFound', 'ServiceQuotaExceededException', 'StateMachineAlreadyExists',
  'StateMachineDeleting', 'StateMachineDoesNotExist', 'StateMachineLimitExceeded', 'StateMachineTypeNotSupported',
  'TaskDoesNotExist', 'TaskTimedOut', 'TooManyTags', 'ValidationException',
]);

const STATUS: Record<string, number> = { ConflictException: 409 };

/** The API error a StatesError name stands for, if any. */
export function apiErrorName(statesError: string): string | undefined {
  const bare = statesError.replace(/^StepFunctions\./, '');
  if (API_ERRORS.has(bare)) return bare;
  const unsuffixed = bare.replace(/Exception$/, '');
  return API_ERRORS.has(unsuffixed) ? unsuffixed : undefined;
}

export function toApiError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  if (err instanceof DefinitionError) return new ApiError('InvalidDefinition', err.message);
  if (err instanceof StatesError) {
    const name = apiErrorName(err.error);
    if (name) return new ApiError(name, err.cause, STATUS[name]);
  }
  return err;
}
