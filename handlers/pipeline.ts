// What a pipeline is: one folder of handlers plus one ASL file, declared once in its `pipeline.ts`. The
// catalog (handlers/catalog.ts) collects the declarations; infra, the local runtime and `longhaul run`
// read everything they need from them, so adding a pipeline touches nothing in local/, infra/ or the CLI.
// See README.md, "Add a pipeline".
import { extname } from 'node:path';
import type { z } from 'zod';
import type { FunctionSpec } from './catalog-types';
import { FIGURE_NAME, MAX_FIGURES } from './lib/progress-counters';

/** A path into the execution input: `['output', 'height']`. */
export type FieldPath = readonly string[];

/** A `longhaul run <pipeline>` option that sets one field of the execution input. */
export interface PipelineFlag {
  /** Without dashes: `height` for `--height`. */
  name: string;
  field: FieldPath;
  /** How the option's text becomes the value; ranges and the like are the job schema's to check. */
  type: 'integer' | 'number' | 'string' | 'json';
  /** One line for --help; the default is read from the job schema, not written here. */
  help: string;
}

/**
 * A `longhaul run <pipeline>` option that sets one of the pipeline's functions locally instead of a field of
 * the execution input: `--train-timeout-seconds 5` runs the training function under a 5 s timeout, so a
 * user or a test can force a time-boxed task into many short turns. In AWS the catalog's value stands.
 */
export interface FunctionFlag {
  /** Without dashes. */
  name: string;
  functionName: string;
  /** Seconds; fractions are allowed, since only the local runtime reads the value. */
  setting: 'timeoutSeconds';
  /** One line for --help; the default is the function's catalog value. */
  help: string;
}

/** The functions with the function flags given (`{ 'train-timeout-seconds': 5 }`) applied; the others as they are. */
export function applyFunctionFlags(functions: readonly FunctionSpec[], flags: readonly FunctionFlag[], values: Readonly<Record<string, number>>): FunctionSpec[] {
  return functions.map((spec) => {
    let changed = spec;
    for (const flag of flags) {
      const value = values[flag.name];
      if (value !== undefined && flag.functionName === spec.name) changed = { ...changed, [flag.setting]: value };
    }
    return changed;
  });
}

/** A local file `longhaul run` uploads under `jobs/<jobId>/input/`; its key goes into the execution input. */
export interface PipelineUpload {
  /** Without dashes: `input` for `--input <file>`. */
  flag: string;
  field: FieldPath;
  help: string;
  /** Its object name under the job's input/ prefix, from the local path: `source.mp4`. */
  objectName(localPath: string): string;
  contentType?: string;
}

/** The usual upload: one local file as the job's `input.key`, stored as `source<its extension>`. */
export function sourceFileUpload(help: string, defaultExtension: string, contentType?: string): PipelineUpload {
  return { flag: 'input', field: ['input', 'key'], help, objectName: (path) => `source${extname(path).toLowerCase() || defaultExtension}`, contentType };
}

/** An object of the job to download, and where to. */
export interface LocalFile {
  key: string;
  path: string;
}

/** A figure the job's tasks add to its progress record (`figures` of getJob), shown live by `longhaul run`. */
export interface LiveFigure {
  /** The figure's name in the progress table: `rowsIn`. */
  name: string;
  /** What it counts, plural: `rows`. */
  label: string;
  /** Also show its rate per second (`rows/s`) while it grows. */
  rate?: boolean;
}

/** What a finished job adds to the run's summary. */
export interface PipelineSummary {
  /** `[label, value]` lines shown right after the job id: what the job made. */
  facts: [string, string][];
  /** Lines shown after the task figures: checks and their figures. */
  details: string[];
  /** False when the execution succeeded but its result fails the pipeline's own check: the run exits 1. */
  ok: boolean;
}

export interface PipelineDefinition<Job extends { jobId: string }, Output> {
  /** Lower-case kebab: the state machine's name, `longhaul run <name>`, the prefix of derived job ids. */
  name: string;
  /** One line, for `longhaul run --help`. */
  description: string;
  /** The ASL file, relative to the repository root: `asl/<name>.asl.json`. */
  asl: string;
  /**
   * The S3 key each Distributed Map's ItemReader reads when the ASL takes it from the state (`Key.$`), by
   * Map state name, with `*` for the job id (`videoKeys.chunkItems('*')`): the state machine's role may
   * read exactly these (infra/asl-definition.ts).
   */
  itemReaderKeys?: Readonly<Record<string, string>>;
  /** Its catalog entries: one Lambda per task. */
  functions: readonly FunctionSpec[];
  /** The execution input, with its defaults: the one place they are decided. */
  job: z.ZodType<Job>;
  /** What a successful execution outputs. */
  output: z.ZodType<Output>;
  /** The job's done/total units (progress table) and the function that completes one, for live progress. */
  units: { name: string; functionName: string };
  /** The figures its tasks add as they go (rows read so far...), in the order shown. */
  figures?: readonly LiveFigure[];
  cli: {
    uploads: readonly PipelineUpload[];
    flags: readonly PipelineFlag[];
    /** Options that set one of its functions for a local run (its timeout), not the execution input. */
    functionFlags?: readonly FunctionFlag[];
    /** For --help: what --output names. */
    outputHelp: string;
    /** Where results go without --output (relative to the working directory). */
    defaultOutput(job: Job, localInputs: Readonly<Record<string, string>>): string;
    /** The objects to download and where, from the execution's output and the --output path. */
    outputFiles(output: Output, target: string): LocalFile[];
  };
  summarize(output: Output): PipelineSummary;
}

/** A pipeline as the rest of the code sees it: the typed parts checked at the boundary. */
export interface Pipeline {
  readonly name: string;
  readonly description: string;
  readonly asl: string;
  readonly itemReaderKeys?: Readonly<Record<string, string>>;
  readonly functions: readonly FunctionSpec[];
  readonly job: z.ZodType<{ jobId: string }>;
  readonly units: { name: string; functionName: string };
  readonly figures: readonly LiveFigure[];
  readonly cli: { uploads: readonly PipelineUpload[]; flags: readonly PipelineFlag[]; functionFlags: readonly FunctionFlag[]; outputHelp: string };
  /** `job` must be the job schema's output (the execution input the run was started with). */
  defaultOutput(job: { jobId: string }, localInputs: Readonly<Record<string, string>>): string;
  /** Throws when the execution's output is not what the pipeline declares. */
  outputFiles(executionOutput: unknown, target: string): LocalFile[];
  summarize(executionOutput: unknown): PipelineSummary;
}

const NAME = /^[a-z][a-z0-9-]*$/;

export function definePipeline<Job extends { jobId: string }, Output>(def: PipelineDefinition<Job, Output>): Pipeline {
  if (!NAME.test(def.name)) throw new Error(`Pipeline name "${def.name}" must be lower-case kebab (${NAME})`);
  if (!def.functions.some((f) => f.name === def.units.functionName)) {
    throw new Error(`Pipeline ${def.name}: units.functionName ${def.units.functionName} is not one of its functions`);
  }
  const functionFlags = def.cli.functionFlags ?? [];
  const strayFlag = functionFlags.find((f) => !def.functions.some((fn) => fn.name === f.functionName));
  if (strayFlag) throw new Error(`Pipeline ${def.name}: --${strayFlag.name} sets ${strayFlag.functionName}, which is not one of its functions`);
  const figures = def.figures ?? [];
  const badFigure = figures.find((f) => !FIGURE_NAME.test(f.name));
  if (badFigure) throw new Error(`Pipeline ${def.name}: figure name "${badFigure.name}" must match ${FIGURE_NAME}`);
  if (figures.length > MAX_FIGURES) throw new Error(`Pipeline ${def.name}: ${figures.length} figures, at most ${MAX_FIGURES}`);
  const parseOutput = (raw: unknown): Output => {
    const parsed = def.output.safeParse(raw);
    if (!parsed.success) throw new Error(`Pipeline ${def.name}: the execution's output is not what it declares: ${parsed.error.message}`);
    return parsed.data;
  };
  return {
    name: def.name,
    description: def.description,
    asl: def.asl,
    itemReaderKeys: def.itemReaderKeys,
    functions: def.functions,
    job: def.job,
    units: def.units,
    figures,
    cli: { uploads: def.cli.uploads, flags: def.cli.flags, functionFlags, outputHelp: def.cli.outputHelp },
    defaultOutput: (job, localInputs) => def.cli.defaultOutput(def.job.parse(job), localInputs),
    outputFiles: (raw, target) => def.cli.outputFiles(parseOutput(raw), target),
    summarize: (raw) => def.summarize(parseOutput(raw)),
  };
}
