// `longhaul run <pipeline>`: one local job of any pipeline end to end, with live progress and a summary.
// The options come from the pipeline's declaration (handlers/<pipeline>/pipeline.ts).
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { applyFunctionFlags, type Pipeline, type PipelineFlag } from '../../handlers/pipeline';
import { formatLogLine } from '../lambda/runtime';
import type { LogLine } from '../lambda/types';
import { JobInputError, prepareJob, setField, type JobRequest } from '../run/execution-input';
import { runJob } from '../run/job-runner';
import { startLocalStack } from '../stack';
import { defaultCliDeps, type CliDeps } from './cli-deps';
import { defineCommand, UsageError, type CliCommand } from './command';
import { codeMode, FROM_SOURCE_OPTION, parseOptions, positiveNumber, readJsonArg, wholeNumber } from './option-values';
import { pipelineHelp, runOverview } from './run-help';
import { progressPrinter } from './run-progress';
import { formatSummary } from './run-summary';

export type RunDeps = Pick<CliDeps, 'pipelines' | 'functions' | 'interrupted'>;

interface RunArgs {
  request: JobRequest;
  /** Function flags given, by name (`train-timeout-seconds`). */
  functionSettings: Record<string, number>;
  output?: string;
  dataDir?: string;
  verbose: boolean;
  fromSource: boolean;
}

function flagValue(flag: PipelineFlag, text: string): unknown {
  const option = `--${flag.name}`;
  switch (flag.type) {
    case 'integer':
      return wholeNumber(option, text);
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${option} must be a number, got "${text}"`);
      return n;
    }
    case 'json':
      return readJsonArg(option, text);
    case 'string':
      return text;
  }
}

function parseRunArgs(pipeline: Pipeline, argv: string[]): RunArgs {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    output: { type: 'string' },
    'job-id': { type: 'string' },
    'data-dir': { type: 'string' },
    verbose: { type: 'boolean' },
    ...FROM_SOURCE_OPTION,
  };
  for (const u of pipeline.cli.uploads) options[u.flag] = { type: 'string' };
  for (const f of [...pipeline.cli.flags, ...pipeline.cli.functionFlags]) options[f.name] = { type: 'string' };
  const { values, positionals } = parseOptions(argv, options);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const text = (name: string) => values[name] as string | undefined;

  const files: Record<string, string> = {};
  for (const u of pipeline.cli.uploads) {
    const path = text(u.flag);
    if (path === undefined) throw new UsageError(`--${u.flag} <file> is required`);
    files[u.flag] = resolve(path);
  }
  const settings: Record<string, unknown> = {};
  for (const f of pipeline.cli.flags) {
    const given = text(f.name);
    if (given !== undefined) setField(settings, f.field, flagValue(f, given));
  }
  const functionSettings: Record<string, number> = {};
  for (const f of pipeline.cli.functionFlags) {
    const given = text(f.name);
    if (given === undefined) continue;
    functionSettings[f.name] = positiveNumber(`--${f.name}`, given)!;
  }
  return {
    request: { pipeline, files, settings, jobId: text('job-id') },
    functionSettings,
    output: text('output'),
    dataDir: text('data-dir'),
    verbose: values.verbose === true,
    fromSource: values['from-source'] === true,
  };
}

/** The job schema's complaint about a field, in terms of the option that sets it. */
function asUsageError(pipeline: Pipeline, err: JobInputError): UsageError {
  const optionOf = (field: string) =>
    pipeline.cli.flags.find((f) => f.field.join('.') === field)?.name ?? pipeline.cli.uploads.find((u) => u.field.join('.') === field)?.flag;
  const described = err.problems.map((p) => {
    const option = optionOf(p.field);
    return option ? `--${option}: ${p.message}` : `${p.field}: ${p.message}`;
  });
  return new UsageError(described.join('; '));
}

function pipelineNamed(deps: RunDeps, name: string | undefined): Pipeline {
  const known = deps.pipelines();
  const available = known.map((p) => p.name).join(', ');
  if (!name || name.startsWith('-')) throw new UsageError(`name the pipeline: longhaul run <pipeline> (available: ${available})`);
  const pipeline = known.find((p) => p.name === name);
  if (!pipeline) throw new UsageError(`unknown pipeline "${name}" (available: ${available})`);
  return pipeline;
}

/** Function logs are JSON lines from every worker: useful after a failure, noise during a run. */
async function openFunctionLog(pipeline: Pipeline, verbose: boolean) {
  const logDir = resolve('.longhaul/logs');
  await mkdir(logDir, { recursive: true });
  const path = join(logDir, `${pipeline.name}-${Date.now()}.log`);
  const file = createWriteStream(path);
  return {
    path,
    onLog: (line: LogLine) => {
      if (verbose) process.stderr.write(`${formatLogLine(line)}\n`);
      file.write(`${formatLogLine(line)}\n`);
    },
    close: () => new Promise<void>((r) => file.end(r)),
  };
}

async function runPipeline(deps: RunDeps, pipeline: Pipeline, argv: string[]): Promise<number> {
  const args = parseRunArgs(pipeline, argv);
  // Validated before anything starts: a bad option is a usage error, not a failed execution.
  let prepared;
  try {
    prepared = await prepareJob(args.request);
  } catch (err) {
    if (err instanceof JobInputError) throw asUsageError(pipeline, err);
    throw err;
  }
  const output = resolve(args.output ?? pipeline.defaultOutput(prepared.input, args.request.files));
  const log = await openFunctionLog(pipeline, args.verbose);
  const functions = applyFunctionFlags(deps.functions(), pipeline.cli.functionFlags, args.functionSettings);
  const stack = await startLocalStack({ dataDir: args.dataDir, functions, onLog: log.onLog, code: codeMode(args.fromSource) });
  const printer = progressPrinter(pipeline);
  const interruption = deps.interrupted();
  const abort = new AbortController();
  void interruption.promise.then(() => {
    process.stderr.write('\nstopping the execution...\n');
    abort.abort();
  });
  try {
    const summary = await runJob({ ...args.request, prepared, outputPath: output, stack, functions, onEvent: printer.onEvent, signal: abort.signal });
    printer.finish();
    console.log(formatSummary(summary, { verbose: args.verbose }));
    console.error(`function logs: ${log.path}`);
    return summary.result.status === 'SUCCEEDED' && summary.report?.ok !== false ? 0 : 1;
  } finally {
    interruption.dispose();
    await stack.stop();
    await log.close();
  }
}

export const createRunCommand = defineCommand<RunDeps>(defaultCliDeps, {
  name: 'run',
  summary: (deps) => `run a pipeline locally end to end (${deps.pipelines().map((p) => p.name).join(', ')})`,
  help: (deps, argv) => {
    const pipeline = deps.pipelines().find((p) => p.name === argv[0]);
    return pipeline ? pipelineHelp(pipeline) : runOverview(deps.pipelines());
  },
  run: (deps, [name, ...rest]) => runPipeline(deps, pipelineNamed(deps, name), rest),
});

export const runCommand: CliCommand = createRunCommand();
