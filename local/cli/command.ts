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

export interface CommandSpec<D> {
  name: string;
  summary: string | ((deps: D) => string);
  help: string | ((deps: D, argv: string[]) => string);
  run(deps: D, argv: string[]): Promise<number>;
}

/** A command whose outside world (`D`: services, output, Ctrl-C...) tests may replace in part. */
export function defineCommand<D>(defaults: D, spec: CommandSpec<D>): (overrides?: Partial<D>) => CliCommand {
  return (overrides = {}) => {
    const deps: D = { ...defaults, ...overrides };
    const { help, summary } = spec;
    return {
      name: spec.name,
      summary: typeof summary === 'function' ? summary(deps) : summary,
      help: typeof help === 'function' ? (argv) => help(deps, argv) : help,
      run: (argv) => spec.run(deps, argv),
    };
  };
}
