// `longhaul cost <executionArn|jobId> [--per 1000] [--prices F]`: what one job cost at list prices, from its
// Step Functions history, the functions' configuration and (when at hand) the handlers' EMF records.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AWS_TARGET_HELP, AWS_TARGET_OPTIONS, awsTargetFromFlags, createOperateClients, operateErrorLine, type AwsTarget } from '../operate/aws-target';
import { estimateCost, formatCost } from '../operate/cost';
import { findExecution, readExecutionTrace } from '../operate/execution-trace';
import { invokedFunctions, readFunctionConfigs } from '../operate/function-configs';
import { jobUsage } from '../operate/job-usage';
import { loadPrices } from '../operate/prices';
import { DEFAULT_SERVE_DATA_DIR, readServeOutputs } from '../serve/serve-outputs';
import { UsageError, defineCommand, type CliCommand } from './command';
import { parseOptions, positiveNumber } from './option-values';

interface CostDeps {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

const help = `Usage: longhaul cost <executionArn|jobId> [--per 1000] [--prices file.json] [--metrics file] [--json] [AWS target]

What one job cost at AWS list prices (us-east-1, dated, in local/operate/prices.ts), for the job and per
N jobs like it:
  - Step Functions state transitions, counted as AWS bills them: each state entered (in the job's
    execution and every Distributed Map child), each retry, each Map child execution, each redrive;
  - Lambda requests, and GB-seconds per function (each attempt's time in the history × the memory
    GetFunction reports), with ephemeral storage above 512 MB priced apart;
  - S3 requests and DynamoDB units, from the handlers' EMF records: a local serve's data dir (the
    server's --data-dir, default ${DEFAULT_SERVE_DATA_DIR}) or --metrics FILE; otherwise "not measured".
A job id means the newest execution named <jobId> or <jobId>-<n> in any state machine.

Options:
  --per <n>             Also price n jobs like this one. Default 1000.
  --prices <file>       A JSON price table laid over the default (any subset of its fields).
  --metrics <file>      An EMF file (one JSON record a line) with the job's records.
  --json                Print the estimate as JSON.

${AWS_TARGET_HELP}`;

async function run(deps: CostDeps, argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    ...AWS_TARGET_OPTIONS,
    per: { type: 'string' },
    prices: { type: 'string' },
    metrics: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1) throw new UsageError(`expected one execution ARN or job id, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  const per = positiveNumber('--per', values.per) ?? 1000;
  if (!Number.isInteger(per)) throw new UsageError(`--per must be a whole number, got "${values.per}"`);
  let prices;
  try {
    prices = loadPrices(values.prices);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.metrics !== undefined && !existsSync(values.metrics)) throw new UsageError(`--metrics ${values.metrics}: no such file`);
  const target = awsTargetFromFlags(values, deps.env);
  const clients = createOperateClients(target, deps.env);
  try {
    const executionArn = await findExecution(clients, positionals[0]!);
    const trace = await readExecutionTrace(clients, executionArn);
    const functions = await readFunctionConfigs(clients.lambda, invokedFunctions(trace));
    const usage = await jobUsage(trace, { metricsFile: values.metrics, dataDir: localDataDir(target, values['data-dir']) });
    const estimate = estimateCost({ trace, functions, prices, usage });
    deps.stdout(values.json ? JSON.stringify({ ...estimate, per, perJobs: estimate.total * per }, null, 2) : formatCost(estimate, per));
    return 0;
  } catch (err) {
    deps.stderr(`longhaul cost: ${operateErrorLine(err)}`);
    return 1;
  } finally {
    clients.destroy();
  }
}

/** The data dir of the local server the target names, when its outputs say it is that server. */
function localDataDir(target: AwsTarget, flag: string | undefined): string | undefined {
  if (target.endpoint === undefined) return undefined;
  const dir = resolve(flag ?? DEFAULT_SERVE_DATA_DIR);
  if (!existsSync(join(dir, 'outputs.json'))) return undefined;
  const endpoint = readServeOutputs(dir).endpoint;
  return flag !== undefined || endpoint === target.endpoint ? dir : undefined;
}

export const createCostCommand = defineCommand<CostDeps>(
  { stdout: (text) => process.stdout.write(`${text}\n`), stderr: (text) => process.stderr.write(`${text}\n`), env: process.env },
  { name: 'cost', summary: 'what a job cost at AWS list prices (transitions, Lambda, S3, DynamoDB), per job and per 1,000', help, run },
);

export const costCommand: CliCommand = createCostCommand();
