// `longhaul serve`: the AWS APIs on one local port, so the AWS CLI and SDKs drive jobs as they do in AWS.
import { resolve } from 'node:path';
import { exposureWarning } from '../serve/http-front';
import { DEFAULT_SERVE_PORT, startServe, type Serve, type ServeOptions } from '../serve/serve';
import { DEFAULT_SERVE_DATA_DIR } from '../serve/serve-outputs';
import { waitForCtrlC, type Interruption } from './cli-deps';
import { UsageError, defineCommand, type CliCommand } from './command';
import { codeMode, FROM_SOURCE_HELP, FROM_SOURCE_OPTION, parseOptions, positiveNumber, wholeNumber } from './option-values';
import { awsCommand, exportLines, shellQuote } from './shell-text';

/** What the command uses of a started server. */
export type RunningServe = Pick<Serve, 'endpoint' | 'region' | 'bucket' | 'table' | 'credentials' | 'dataDir' | 'stateMachineArns' | 'functionNames' | 'resumedExecutions' | 'mockConfigPath' | 'stop'>;

export interface ServeDeps {
  startServe(opts: ServeOptions): Promise<RunningServe>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when the server should stop (Ctrl-C or SIGTERM by default). */
  untilStopped(): Interruption;
}


const help = `Usage: longhaul serve [--port ${DEFAULT_SERVE_PORT}] [--host 127.0.0.1] [--data-dir ${DEFAULT_SERVE_DATA_DIR}] [--time-scale N] [--from-source]

One local endpoint speaking the AWS APIs: Step Functions, Lambda (Invoke, ListFunctions, GetFunction),
DynamoDB and S3, over the local engine, Lambda runner, dynalite and s3rver. Every catalog function and
every pipeline's state machine is registered under the name infra deploys (longhaul-dev-video, ...), so
the AWS CLI and SDKs work unchanged but for --endpoint-url. Executions, objects and items are kept in the
data directory across restarts. Runs until Ctrl-C.

Options:
  --port <n>         Default ${DEFAULT_SERVE_PORT}; 0 picks a free port.
  --host <address>   Default 127.0.0.1. Anything else is reachable from other machines, with no
                     authentication: a warning is printed.
  --data-dir <dir>   Default ${DEFAULT_SERVE_DATA_DIR}. One server per directory.
  --time-scale <n>   Multiplies Lambda timeouts, Wait states and retry intervals (e.g. 0.01).
  --from-source      ${FROM_SOURCE_HELP}
  -h, --help         This text.

Environment: LONGHAUL_PREFIX and LONGHAUL_STACK name the resources, as for make plan; SFN_MOCK_CONFIG
names a Step Functions Local mock configuration (MockConfigFile.json) for executions started on
<stateMachineArn>#<TestCase>.`;

/** What the server prints once it listens: where it is, what it holds, and how to reach it. */
export function describeServe(serve: RunningServe): string {
  const aws = `${awsCommand()} --endpoint-url ${serve.endpoint}`;
  const { credentials } = serve;
  const env = {
    AWS_ENDPOINT_URL: serve.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: serve.region,
    AWS_REGION: serve.region,
    // s3rver stores the SDK's default aws-chunked uploads corrupted (README, Known facts).
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  const machines = Object.entries(serve.stateMachineArns);
  const width = Math.max(0, ...machines.map(([name]) => name.length));
  const example = serve.stateMachineArns.video ?? machines[0]?.[1];
  const input = JSON.stringify({ jobId: 'talk-001', input: { key: 'jobs/talk-001/input/talk.mp4' } });
  return [
    `Endpoint  ${serve.endpoint}   (Step Functions, Lambda, S3, DynamoDB)`,
    `Console   ${serve.endpoint}/console`,
    `Bucket    ${serve.bucket}`,
    `Table     ${serve.table}`,
    `Data      ${serve.dataDir}`,
    ...(serve.resumedExecutions > 0 ? [`Resumed   ${serve.resumedExecutions} execution(s) the last server left running`] : []),
    ...(serve.mockConfigPath ? [`Mocks     ${serve.mockConfigPath} (start an execution on <stateMachineArn>#<TestCase> to use them)`] : []),
    `Functions ${serve.functionNames.length} (${aws} lambda list-functions)`,
    'State machines:',
    ...machines.map(([name, arn]) => `  ${name.padEnd(width)}  ${arn}`),
    '',
    'Environment for the AWS SDK and newer AWS CLIs (paste into a shell):',
    ...exportLines(env),
    '',
    'AWS CLI 2.9 reads no AWS_ENDPOINT_URL: give --endpoint-url to each command, e.g.',
    `  ${aws} s3 cp talk.mp4 s3://${serve.bucket}/jobs/talk-001/input/talk.mp4`,
    ...(example ? [`  ${aws} stepfunctions start-execution --state-machine-arn ${example} --name talk-001 --input ${shellQuote(input)}`] : []),
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

function portOption(value: string | undefined): number {
  const port = wholeNumber('--port', value) ?? DEFAULT_SERVE_PORT;
  if (port < 0 || port > 65_535) throw new UsageError(`--port must be from 0 to 65535, got ${port}`);
  return port;
}

async function serveUntilStopped(deps: ServeDeps, argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'time-scale': { type: 'string' },
    ...FROM_SOURCE_OPTION,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const port = portOption(values.port);
  const host = values.host ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  const timeScale = positiveNumber('--time-scale', values['time-scale']);
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_SERVE_DATA_DIR);

  const warning = exposureWarning(host);
  if (warning) deps.stderr(warning);
  // Listen before starting, so a Ctrl-C during start-up still stops what was started.
  const stopped = deps.untilStopped();
  let serve: RunningServe;
  try {
    serve = await deps.startServe({ dataDir, port, host, timeScale, code: codeMode(values['from-source']) });
  } catch (err) {
    stopped.dispose();
    deps.stderr(`longhaul serve: ${(err as Error).message}`);
    return 1;
  }
  try {
    deps.stdout(describeServe(serve));
    await stopped.promise;
    deps.stdout('Stopping.');
    return 0;
  } finally {
    stopped.dispose();
    await serve.stop();
  }
}

export const createServeCommand = defineCommand<ServeDeps>(
  {
    startServe,
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    untilStopped: waitForCtrlC,
  },
  { name: 'serve', summary: 'the AWS APIs (Step Functions, Lambda, S3, DynamoDB) on one local endpoint', help, run: serveUntilStopped },
);

export const serveCommand: CliCommand = createServeCommand();
