// A failed execution in the words a person needs: the error's name and message. A Lambda error's Cause
// is the JSON of { errorType, errorMessage, trace }; the trace belongs in the function log.

export interface Failure {
  error: string;
  message: string;
  /** The Lambda error's stack, when the Cause carried one. */
  trace: string[];
}

export function describeFailure(error: string | undefined, cause: string | undefined): Failure {
  const name = error || 'Error';
  const text = cause ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: name, message: text, trace: [] };
  }
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as { errorMessage?: unknown }).errorMessage !== 'string') {
    return { error: name, message: text, trace: [] };
  }
  const lambda = parsed as { errorMessage: string; trace?: unknown };
  const trace = Array.isArray(lambda.trace) ? lambda.trace.filter((l): l is string => typeof l === 'string') : [];
  return { error: name, message: lambda.errorMessage, trace };
}
