// `longhaul invoke`: run one catalog function locally, as Lambda would, against fresh local services.
import type { FunctionSpec } from '../../handlers/catalog-types';
import { createLambdaRuntime, formatLogLine } from '../lambda/runtime';
import type { LogLine } from '../lambda/types';
import { defaultCliDeps, type CliDeps } from './cli-deps';
import { codeMode, FROM_SOURCE_HELP, FROM_SOURCE_OPTION, parseOptions, positiveNumber, readJsonArg } from './option-values';
import { UsageError, defineCommand, type CliCommand } from './command';

export type InvokeDeps = CliDeps;

const help = `Usage: longhaul invoke <function> [--event <json|@file>] [options]

Runs one catalog function locally exactly as Lambda would: in its own worker process with the
function's memory, timeout and /tmp, against local S3 and DynamoDB started for the occasion.
Prints the result as JSON on stdout. On a function error, prints Lambda's error object
({ errorType, errorMessage, trace }) on stderr and exits 1.

Options:
  --event <json|@file>     The event: inline JSON, or @path of a JSON file. Default {}.
  --data-dir <dir>         Keep S3 objects and table items in <dir> (reused by later runs).
                           Default: a temporary directory, removed at the end.
  --timeout-scale <n>      Multiply the function's timeout by n (0.01 turns 900 s into 9 s).
  --region <region>        Region of the local ARNs and services. Default us-east-1.
  --from-source            ${FROM_SOURCE_HELP}
  --quiet                  Do not show the function's log lines.
  -h, --help               This text.

Exit status: 0 success, 1 function error, 2 bad usage.

Examples:
  longhaul invoke VideoProbe --event '{"jobId":"demo","input":{"key":"jobs/demo/input/in.mp4"}}' --data-dir .longhaul/data
  longhaul invoke VideoSplit --event @event.json --data-dir .longhaul/data --timeout-scale 0.1`;


interface InvokeArgs {
  functionName: string;
  event: unknown;
  dataDir?: string;
  timeScale: number;
  region?: string;
  quiet: boolean;
  fromSource: boolean;
}

function parseInvokeArgs(argv: string[], known: readonly FunctionSpec[]): InvokeArgs {
  const { values, positionals } = parseOptions(argv, {
    event: { type: 'string' },
    'data-dir': { type: 'string' },
    'timeout-scale': { type: 'string' },
    region: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    ...FROM_SOURCE_OPTION,
  });
  if (positionals.length !== 1) {
    throw new UsageError(`expected exactly one function name, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  }
  const functionName = positionals[0]!;
  if (!known.some((f) => f.name === functionName)) {
    const names = known.map((f) => f.name).join(', ') || '(none)';
    throw new UsageError(`unknown function "${functionName}". Known functions: ${names}`);
  }
  const timeScale = positiveNumber('--timeout-scale', values['timeout-scale']) ?? 1;
  return {
    functionName,
    event: values.event === undefined ? {} : readJsonArg('--event', values.event),
    dataDir: values['data-dir'],
    timeScale,
    region: values.region,
    quiet: values.quiet ?? false,
    fromSource: values['from-source'] ?? false,
  };
}

/** Invokes the function `argv` names with its event; the exit status. */
async function invokeFunction(deps: InvokeDeps, argv: string[]): Promise<number> {
  const functions = deps.functions();
  const args = parseInvokeArgs(argv, functions);
  const services = await deps.startServices({ dataDir: args.dataDir, region: args.region, quiet: true });
  const onLog = (line: LogLine): void => {
    if (!args.quiet) deps.stderr(formatLogLine(line));
  };
  const runtime = createLambdaRuntime({
    functions,
    env: services.env,
    region: services.region,
    timeScale: args.timeScale,
    onLog,
    code: codeMode(args.fromSource),
  });
  const stop = new AbortController();
  const interrupt = deps.interrupted();
  void interrupt.promise.then(() => stop.abort());
  try {
    const outcome = await runtime.invoke(args.functionName, args.event, { signal: stop.signal });
    if (!args.quiet) {
      const init = outcome.initDurationMs !== undefined ? ` Init Duration: ${outcome.initDurationMs.toFixed(2)} ms` : '';
      deps.stderr(`REPORT ${args.functionName} RequestId: ${outcome.requestId} Duration: ${outcome.durationMs.toFixed(2)} ms${init}`);
    }
    if (outcome.ok) {
      deps.stdout(JSON.stringify(outcome.payload, null, 2));
      return 0;
    }
    deps.stderr(JSON.stringify(outcome.error, null, 2));
    return stop.signal.aborted ? 130 : 1;
  } finally {
    interrupt.dispose();
    await runtime.close();
    await services.stop();
  }
}

export const createInvokeCommand = defineCommand<InvokeDeps>(defaultCliDeps, { name: 'invoke', summary: 'run one function locally with an event and print its result', help, run: invokeFunction });

export const invokeCommand: CliCommand = createInvokeCommand();
