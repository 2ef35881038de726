// The contract every `longhaul` sub-command implements.
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text; a function of the arguments when it depends on them (`run video --help`). */
  help: string | ((argv: string[]) => string);
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad command-line usage; main prints the message and the command's help hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}
