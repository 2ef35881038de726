// `longhaul watch <executionArn|jobId>`: a live view of one execution until it ends; the exit status says how.
import { AWS_TARGET_HELP, AWS_TARGET_OPTIONS, awsTargetFromFlags, createOperateClients, type AwsTarget, type OperateClients } from '../operate/aws-target';
import { findExecution } from '../operate/execution-trace';
import { watchExecution, type WatchOutput } from '../operate/watch';
import { UsageError, defineCommand, type CliCommand } from './command';
import { parseOptions, wholeNumber } from './option-values';

export const DEFAULT_WATCH_INTERVAL_MS = 1000;

interface WatchDeps {
  output: WatchOutput;
  stderr(text: string): void;
  clients(target: AwsTarget): OperateClients;
}

const help = `Usage: longhaul watch <executionArn|jobId> [--interval-ms ${DEFAULT_WATCH_INTERVAL_MS}] [AWS target flags]

Follows one execution until it ends: its steps (a Map's items with a bar), the job's progress from the
progress table (units done of total, live figures), the tasks running now with their elapsed time against
their function's timeout (flagged past 80%), retries and failed attempts with their error. On a terminal
the view is redrawn in place; otherwise (a pipe, a log) only what changed is printed, a line each.
A job id means its newest execution named <jobId> or <jobId>-<n>.
Exit status: 0 when the execution SUCCEEDED, 1 when it FAILED, TIMED_OUT or was ABORTED.

Options:
  --interval-ms <n>     Between looks; default ${DEFAULT_WATCH_INTERVAL_MS}. A look reads the history of every
                        running Map item (finished ones once), so looks are never
                        closer than one takes.

${AWS_TARGET_HELP}`;

async function run(deps: WatchDeps, argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { ...AWS_TARGET_OPTIONS, 'interval-ms': { type: 'string' } });
  if (positionals.length === 0) throw new UsageError('an execution ARN or a job id is required');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const intervalMs = wholeNumber('--interval-ms', values['interval-ms']) ?? DEFAULT_WATCH_INTERVAL_MS;
  if (intervalMs < 1) throw new UsageError(`--interval-ms must be at least 1, got ${intervalMs}`);
  let target: AwsTarget;
  try {
    target = awsTargetFromFlags(values);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const clients = deps.clients(target);
  try {
    let executionArn: string;
    try {
      executionArn = await findExecution(clients, positionals[0]!);
    } catch (err) {
      // No such execution or job, a refused call, no server at the endpoint: one line, not a stack.
      const e = err as { name?: string; message?: string };
      deps.stderr(`longhaul watch: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(err)}`);
      return 1;
    }
    const status = await watchExecution({ clients, executionArn, table: target.table, output: deps.output, intervalMs });
    return status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    clients.destroy();
  }
}

export const createWatchCommand = defineCommand<WatchDeps>(
  {
    output: {
      write: (text) => process.stdout.write(text),
      isTTY: process.stdout.isTTY === true,
      columns: () => process.stdout.columns ?? 80,
    },
    stderr: (text) => process.stderr.write(`${text}\n`),
    clients: (target) => createOperateClients(target),
  },
  { name: 'watch', summary: 'follow an execution live (steps, progress, running tasks against their timeout, errors)', help, run },
);

export const watchCommand: CliCommand = createWatchCommand();
