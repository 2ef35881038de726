// `longhaul execute`: run an ASL file locally with the engine, the Lambda runner and local services.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEngine, DefinitionError, findTestCase, loadDefinition, loadMockConfig, MockConfigError, StatesError, type MockConfig } from '../engine';
import { reportChildExecutions, reportMapRuns, reportProgress } from '../engine/progress';
import { createLambdaRuntime, formatLogLine } from '../lambda/runtime';
import { localPlaceholders } from '../placeholders';
import { UsageError, defineCommand, type CliCommand } from './command';
import { defaultCliDeps, type CliDeps } from './cli-deps';
import { codeMode, FROM_SOURCE_HELP, FROM_SOURCE_OPTION, parseOptions, positiveNumber, readJsonArg } from './option-values';

const help = `Usage: longhaul execute <file.asl.json> [--input <json|@file>] [options]

Runs a state machine locally with AWS Step Functions semantics: every catalog function in its own
worker process, local S3 and DynamoDB started for the occasion. Shows progress on stderr (states
entered, Map items done/total, retries, failures) and prints the execution output as JSON on stdout,
or its Error and Cause on stderr.

Placeholders: \${<Function>Arn} for every catalog function (local ARN), \${DataBucket}, \${ProgressTable}.

Options:
  --input <json|@file>     Execution input: inline JSON or @path of a JSON file. Default {}.
  --set <Name=value>       Set or override a placeholder; repeatable.
  --history <out.json>     Write the execution history (AWS GetExecutionHistory shape) to a file.
  --name <name>            Execution name. Default: a UUID.
  --data-dir <dir>         Keep S3 objects and table items in <dir>. Default: a temporary directory.
  --timeout-scale <n>      Multiply Wait times, retry intervals and timeouts by n (0.01: 60 s → 0.6 s).
  --max-history-events <n> Raise the 25,000-event history quota (AWS cannot; use only to experiment).
  --mock-config <file>     A Step Functions Local mock configuration (MockConfigFile.json): with --test-case,
                           the Task states the test case names return or throw its mocked responses instead
                           of calling their resources; the other states run for real.
  --test-case <name>       The test case of the mock configuration to run (its state machine: see below).
  --state-machine-name <n> The state machine's name, which the mock configuration's StateMachines use.
                           Default: the file's name without .asl.json.
  --from-source            ${FROM_SOURCE_HELP}
  --quiet                  No progress and no function log lines.
  -h, --help               This text.

Exit status: 0 succeeded; 1 failed, timed out or aborted; 2 bad usage or invalid definition.

Examples:
  longhaul execute asl/video.asl.json --input '{"jobId":"demo"}'
  longhaul execute my.asl.json --input @input.json --set MyFnArn=arn:aws:lambda:us-east-1:000000000000:function:VideoProbe
  longhaul execute LambdaSQSIntegration.asl.json --mock-config MockConfigFile.json --test-case HappyPath`;

export type ExecuteDeps = CliDeps;

interface ExecuteArgs {
  file: string;
  input: unknown;
  sets: Record<string, string>;
  historyFile?: string;
  name?: string;
  dataDir?: string;
  timeScale: number;
  maxHistoryEvents?: number;
  quiet: boolean;
  mockConfigFile?: string;
  testCase?: string;
  stateMachineName: string;
  fromSource: boolean;
}

function parseExecuteArgs(argv: string[]): ExecuteArgs {
  const { values, positionals } = parseOptions(argv, {
    input: { type: 'string' },
    set: { type: 'string', multiple: true },
    history: { type: 'string' },
    name: { type: 'string' },
    'data-dir': { type: 'string' },
    'timeout-scale': { type: 'string' },
    'max-history-events': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'mock-config': { type: 'string' },
    'test-case': { type: 'string' },
    'state-machine-name': { type: 'string' },
    ...FROM_SOURCE_OPTION,
  });
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ASL file, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  const sets: Record<string, string> = {};
  for (const entry of values.set ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects Name=value, got "${entry}"`);
    sets[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  // Either alone does nothing: a mock configuration applies only through a test case.
  if (values['test-case'] !== undefined && values['mock-config'] === undefined) throw new UsageError('--test-case needs --mock-config (the file that defines the test case)');
  if (values['mock-config'] !== undefined && values['test-case'] === undefined) throw new UsageError('--mock-config needs --test-case (which of its test cases to run)');
  return {
    file: positionals[0]!,
    input: values.input === undefined ? {} : readJsonArg('--input', values.input),
    sets,
    historyFile: values.history,
    name: values.name,
    dataDir: values['data-dir'],
    timeScale: positiveNumber('--timeout-scale', values['timeout-scale']) ?? 1,
    maxHistoryEvents: positiveNumber('--max-history-events', values['max-history-events']),
    quiet: values.quiet ?? false,
    mockConfigFile: values['mock-config'],
    testCase: values['test-case'],
    stateMachineName: values['state-machine-name'] ?? machineName(positionals[0]!),
    fromSource: values['from-source'] ?? false,
  };
}

function machineName(file: string): string {
  return path.basename(file).replace(/\.asl\.json$|\.json$/, '') || 'LocalStateMachine';
}

/** Runs the ASL file of `argv` to its end; the exit status. */
async function executeFile(deps: ExecuteDeps, argv: string[]): Promise<number> {
  const args = parseExecuteArgs(argv);
  let source: string;
  try {
    source = readFileSync(args.file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${args.file}: ${(err as Error).message}`);
  }
  // The mock configuration and the test case are checked before any service starts.
  let mockConfig: MockConfig | undefined;
  let mockedStates: ReadonlySet<string> | undefined;
  if (args.mockConfigFile !== undefined && args.testCase !== undefined) {
    try {
      mockConfig = loadMockConfig(args.mockConfigFile);
      mockedStates = new Set(findTestCase(mockConfig, args.stateMachineName, args.testCase).keys());
    } catch (err) {
      if (err instanceof MockConfigError) {
        deps.stderr(err.message);
        return 2;
      }
      if (err instanceof StatesError) throw new UsageError(`--test-case ${args.testCase}: ${err.cause}`);
      throw err;
    }
  }
  const functions = deps.functions();
  const services = await deps.startServices({ dataDir: args.dataDir, quiet: true });
  const runtime = createLambdaRuntime({
    functions,
    env: services.env,
    region: services.region,
    timeScale: args.timeScale,
    onLog: (line) => !args.quiet && deps.stderr(formatLogLine(line)),
    code: codeMode(args.fromSource),
  });
  const engine = createEngine({ lambda: runtime, env: services.env, region: services.region, timeScale: args.timeScale, maxHistoryEvents: args.maxHistoryEvents, mockConfig });
  const interrupt = deps.interrupted();
  try {
    let definition;
    try {
      definition = loadDefinition(source, { fileName: args.file, mockedStates, placeholders: {
          ...localPlaceholders({ functions, region: services.region, bucket: services.bucket, table: services.table }),
          ...args.sets,
        },
      });
    } catch (err) {
      if (err instanceof DefinitionError) {
        deps.stderr(err.message);
        return 2;
      }
      throw err;
    }
    const name = args.stateMachineName;
    engine.registerStateMachine(name, definition);
    let execution;
    try {
      execution = engine.startExecution(definition, args.input, { name: args.name, stateMachineName: name, testCase: args.testCase });
    } catch (err) {
      // A bad --name or an --input over 256 KiB: AWS's StartExecution refuses these before anything runs.
      if (err instanceof StatesError) throw new UsageError(`cannot start the execution: ${err.error}: ${err.cause}`);
      throw err;
    }
    if (!args.quiet) {
      deps.stderr(`execution ${execution.executionArn}`);
      reportProgress(execution, { write: deps.stderr });
      reportChildExecutions(engine, { write: deps.stderr });
      reportMapRuns(engine, { write: deps.stderr });
    }
    void interrupt.promise.then(() => execution.stop({ error: 'Interrupted', cause: 'Stopped with Ctrl-C' }));
    const result = await execution.done;
    if (args.historyFile) writeFileSync(args.historyFile, `${JSON.stringify({ events: execution.history }, null, 2)}\n`);
    const seconds = ((result.stopDate.getTime() - result.startDate.getTime()) / 1000).toFixed(2);
    if (result.status === 'SUCCEEDED') {
      if (!args.quiet) deps.stderr(`SUCCEEDED in ${seconds} s (${execution.history.length} events)`);
      deps.stdout(JSON.stringify(result.output ?? null, null, 2));
      return 0;
    }
    deps.stderr(`${result.status} after ${seconds} s`);
    deps.stderr(`Error: ${result.error ?? ''}`);
    deps.stderr(`Cause: ${result.cause ?? ''}`);
    return 1;
  } finally {
    interrupt.dispose();
    await engine.close();
    await runtime.close();
    await services.stop();
  }
}

export const createExecuteCommand = defineCommand<ExecuteDeps>(defaultCliDeps, { name: 'execute', summary: 'run a state machine (ASL file) locally and print its output', help, run: executeFile });

export const executeCommand: CliCommand = createExecuteCommand();
