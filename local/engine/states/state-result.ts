// What running one state yields: its output and the state to go to (undefined: this branch ends).
export interface StateResult {
  output: unknown;
  next: string | undefined;
}
