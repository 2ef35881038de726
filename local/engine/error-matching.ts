// Which errors a Retry or Catch `ErrorEquals` list matches, with AWS's wildcard rules.

/** Errors that abort the execution whatever the Catch says (the guide: "always cause the execution to fail"). */
const UNCATCHABLE = new Set(['States.Runtime']);
/** Terminal errors States.ALL does not match; they can still be named explicitly. */
const NOT_MATCHED_BY_ALL = new Set(['States.DataLimitExceeded', 'States.Runtime']);

export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  if (UNCATCHABLE.has(error)) return false;
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === 'States.ALL' && !NOT_MATCHED_BY_ALL.has(error)) return true;
    // A missed heartbeat is a timeout too: States.Timeout matches it (the guide: "ran longer than the
    // TimeoutSeconds value, or failed to send a heartbeat for a period longer than the HeartbeatSeconds value").
    if (name === 'States.Timeout' && error === 'States.HeartbeatTimeout') return true;
    // States.TaskFailed is a wildcard for every task error except a timeout.
    if (name === 'States.TaskFailed' && error !== 'States.Timeout' && error !== 'States.HeartbeatTimeout' && !NOT_MATCHED_BY_ALL.has(error)) return true;
  }
  return false;
}
