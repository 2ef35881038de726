// `longhaul serve` assembled: the local stack (S3, DynamoDB, Lambda runner, engine) behind one HTTP port
// speaking the AWS APIs, with every catalog function and every pipeline's state machine registered under
// the names infra deploys, so the README's AWS CLI commands run unchanged but for `--endpoint-url`.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectFunctions, pipelines as catalogPipelines } from '../../handlers/catalog';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { placeholderValues } from '../../handlers/asl-placeholders';
import { DEFAULT_REGION } from '../../handlers/lib/storage-layout';
import type { Pipeline } from '../../handlers/pipeline';
import { readStackConfig } from '../../infra/config';
import { loadDefinition, loadMockConfig } from '../engine';
import type { CodeMode } from '../lambda/function-code';
import type { LambdaError, LogLine } from '../lambda/types';
import type { Credentials } from '../services';
import { startLocalStack, type LocalStack } from '../stack';
import { deployedNameInvoker, deployedNames, type DeployedFunction, type DeployedNames, type NamingConfig } from './deployed-names';
import { functionConfiguration } from './function-configuration';
import { createConsoleRoutes } from './console-routes';
import { startHttpFront, type HttpFront } from './http-front';
import { createLambdaApi } from './lambda-api';
import { serveOutputs, writeServeOutputs } from './serve-outputs';
import { createSfnApi } from './sfn/sfn-api';
import { createStateMachineRegistry, type StateMachineRegistry } from './sfn/state-machines';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** LocalStack's port, which users' scripts and `--endpoint-url`s already name. */
export const DEFAULT_SERVE_PORT = 4566;

export interface ServeOptions {
  /** Executions, objects and items live here and survive restarts; one server per directory. */
  dataDir: string;
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Multiplies Lambda timeouts, Wait states and retry intervals (tests use < 1). */
  timeScale?: number;
  maxConcurrency?: number;
  /** Default: the catalog's pipelines. */
  pipelines?: readonly Pipeline[];
  /** Default: the functions of `pipelines` (and the shared ones). */
  functions?: readonly FunctionSpec[];
  /** Prefix and stack of the deployed names. Default: from the environment, as infra reads it. */
  naming?: NamingConfig;
  /**
   * Step Functions Local's MockConfigFile.json: executions started on `<stateMachineArn>#<TestCase>` use
   * its mocked responses. Default: the file the SFN_MOCK_CONFIG variable names, as Step Functions Local reads it.
   */
  mockConfigPath?: string;
  /** Function log lines. Default: `[Function requestId] text` on stderr. */
  onLog?: (line: LogLine) => void;
  /** What went wrong without anyone waiting for it (a failed `Event` invocation, a server fault). Default: stderr. */
  onProblem?: (text: string) => void;
  /** What the Lambda workers run: the deployed bundles (default) or the TypeScript sources. */
  code?: CodeMode;
}

export interface Serve {
  /** `http://127.0.0.1:4566`: the `--endpoint-url` for every service. */
  endpoint: string;
  host: string;
  port: number;
  region: string;
  bucket: string;
  table: string;
  /** The key pair the server accepts (s3rver checks signatures). */
  credentials: Credentials;
  dataDir: string;
  /** By pipeline name (`video`), as `terraform output <pipeline>_state_machine_arn` gives them in AWS. */
  stateMachineArns: Record<string, string>;
  /** Deployed function names, as `terraform output function_names`. */
  functionNames: string[];
  /** Executions a previous server left running, continued from their history. */
  resumedExecutions: number;
  /** The mock configuration in use, if any. */
  mockConfigPath?: string;
  stack: LocalStack;
  stop(): Promise<void>;
}

export async function startServe(opts: ServeOptions): Promise<Serve> {
  const pipelines = opts.pipelines ?? catalogPipelines;
  const functions = opts.functions ?? collectFunctions(pipelines);
  const onProblem = opts.onProblem ?? ((text: string) => process.stderr.write(`${text}\n`));
  // The stack's services run in the default region; deployed ARNs must name the same one.
  const names = deployedNames({ functions, region: DEFAULT_REGION, config: opts.naming ?? readStackConfig() });
  const mockConfigPath = opts.mockConfigPath ?? (process.env.SFN_MOCK_CONFIG || undefined);
  const stack = await startLocalStack({
    dataDir: opts.dataDir,
    durable: true,
    mockConfig: mockConfigPath === undefined ? undefined : loadMockConfig(mockConfigPath),
    functions,
    timeScale: opts.timeScale,
    maxConcurrency: opts.maxConcurrency,
    onLog: opts.onLog,
    code: opts.code,
    engineInvoker: (runner) => deployedNameInvoker(names, runner),
  });
  let front: HttpFront | undefined;
  try {
    const { services, engine } = stack;
    if (services.region !== names.region) throw new Error(`local services run in ${services.region}, deployed names were made for ${names.region}`);
    const registry = createStateMachineRegistry({ engine, region: services.region, dataDir: services.dataDir });
    const stateMachineArns = await registerPipelines(registry, pipelines, names, services);
    const deployedAt = new Date();
    const configuration = (fn: DeployedFunction) =>
      functionConfiguration(fn, { region: services.region, config: names.config, bucket: services.bucket, table: services.table, deployedAt });
    const onError = (err: Error) => onProblem(`longhaul serve: ${err.stack ?? err.message}`);
    front = await startHttpFront({
      host: opts.host,
      port: opts.port ?? DEFAULT_SERVE_PORT,
      sfn: createSfnApi({ engine, registry, region: services.region }),
      lambda: createLambdaApi({
        names,
        runner: stack.lambda,
        configuration,
        codePath: (fn) => join(repoRoot, fn.spec.entry),
        onError,
        onAsyncFailure: (fn, error) => onProblem(asyncFailureLine(fn, error)),
      }),
      s3: services.endpoints.s3,
      dynamodb: services.endpoints.dynamodb,
      console: createConsoleRoutes({ region: services.region, table: services.table, dataDir: services.dataDir }),
      onError,
    });
    const started = front;
    // What `terraform output` gives in AWS, for `longhaul outputs` (the README's commands read it as OUT).
    writeServeOutputs(services.dataDir, serveOutputs({
      endpoint: started.endpoint,
      region: services.region,
      bucket: services.bucket,
      table: services.table,
      stateMachineArns,
      functionNames: names.functions.map((fn) => fn.functionName),
    }));
    // Once the machines are registered (a resumed task may start any of them: the ML loop starts its own)
    // and the port is ours, so a server that cannot listen runs nothing.
    const resumedExecutions = engine.resumeExecutions();
    let stopping: Promise<void> | undefined;
    return {
      endpoint: started.endpoint,
      host: started.host,
      port: started.port,
      region: services.region,
      bucket: services.bucket,
      table: services.table,
      credentials: services.credentials,
      dataDir: services.dataDir,
      stateMachineArns,
      functionNames: names.functions.map((fn) => fn.functionName),
      resumedExecutions,
      mockConfigPath,
      stack,
      stop: () => (stopping ??= stopBoth(started, stack)),
    };
  } catch (err) {
    await (front ? stopBoth(front, stack) : stack.stop()).catch(() => undefined);
    throw err;
  }
}

/** Each pipeline's ASL, its placeholders filled with the deployed ARNs, under its deployed name. */
async function registerPipelines(
  registry: StateMachineRegistry,
  pipelines: readonly Pipeline[],
  names: DeployedNames,
  services: { bucket: string; table: string },
): Promise<Record<string, string>> {
  const placeholders = placeholderValues({ functionArns: names.functionArnsByCatalogName(), bucket: services.bucket, table: services.table });
  const arns: Record<string, string> = {};
  for (const pipeline of pipelines) {
    const aslPath = join(repoRoot, pipeline.asl);
    const definition = loadDefinition(await readFile(aslPath, 'utf8'), { placeholders, fileName: basename(aslPath) });
    arns[pipeline.name] = registry.registerBuiltIn(names.stateMachineName(pipeline.name), definition);
  }
  return arns;
}

function asyncFailureLine(fn: DeployedFunction, error: LambdaError): string {
  return `[${fn.functionName}] asynchronous (Event) invocation failed: ${error.errorType}: ${error.errorMessage}`;
}

/** Closes the port first, so no request arrives at a stopping stack; stops the stack even if that fails. */
async function stopBoth(front: HttpFront, stack: LocalStack): Promise<void> {
  const closed = await front.close().then(
    () => undefined,
    (err: unknown) => err,
  );
  await stack.stop();
  if (closed) throw closed;
}
