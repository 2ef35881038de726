// What running one state yields: its output, the state to go to (undefined: this branch ends), and the variables
// its Assign (or its chosen Choice rule's, or catcher's) computed, which the state's exit stores.
import type { Assignment } from '../variables';

export interface StateResult {
  output: unknown;
  next: string | undefined;
  assign?: Assignment;
}

/** What a Task, Parallel or Map attempt produces before its transition is known. */
export interface Outcome {
  output: unknown;
  assign?: Assignment;
}
