// Turns what a person has on their laptop (files, and settings from flags) into a pipeline's execution
// input, exactly as `aws stepfunctions start-execution` would receive it in AWS: files become keys under
// the job's input/ prefix, and the pipeline's own job schema validates the whole before anything starts.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { sha256File } from '../../handlers/lib/file-hash';
import { canonicalJson } from '../../handlers/lib/job-fingerprint';
import { jobKeys } from '../../handlers/lib/storage-layout';
import { fieldProblems, type FieldProblem } from '../../handlers/lib/validation';
import type { FieldPath, Pipeline } from '../../handlers/pipeline';

export interface JobRequest {
  pipeline: Pipeline;
  /** Local files by upload flag: `{ input: 'clip.mp4' }`. */
  files: Readonly<Record<string, string>>;
  /** Fields of the execution input, nested as in it (`{ output: { height: 120 } }`); the schema's defaults fill the rest. */
  settings?: Readonly<Record<string, unknown>>;
  /** Default: derived from the files' content and the settings, so a re-run finds the finished job. */
  jobId?: string;
}

export interface PreparedUpload {
  flag: string;
  path: string;
  key: string;
  contentType?: string;
}

export interface PreparedJob {
  jobId: string;
  /** The validated execution input, defaults applied. */
  input: { jobId: string };
  uploads: PreparedUpload[];
  /** The jobId names the content and settings (not given by the caller). */
  derived: boolean;
}

/** The request does not make a valid execution input; each problem names the field. */
export class JobInputError extends Error {
  override name = 'JobInputError';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

export function setField(target: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    node = (node[part] = next && typeof next === 'object' && !Array.isArray(next) ? { ...next } : {}) as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function withoutField(source: Record<string, unknown>, path: FieldPath): Record<string, unknown> {
  const copy = structuredClone(source);
  let node: Record<string, unknown> | undefined = copy;
  for (const part of path.slice(0, -1)) node = node?.[part] as Record<string, unknown> | undefined;
  if (node) delete node[path[path.length - 1]!];
  return copy;
}

/** The execution input for `jobId`: settings, the jobId, and each file's key under the job's input/. */
function assemble(req: JobRequest, jobId: string): { raw: Record<string, unknown>; uploads: PreparedUpload[] } {
  const raw: Record<string, unknown> = { ...structuredClone(req.settings ?? {}), jobId };
  const uploads = req.pipeline.cli.uploads.map((u) => {
    const key = jobKeys.input(jobId, u.objectName(req.files[u.flag]!));
    setField(raw, u.field, key);
    return { flag: u.flag, path: req.files[u.flag]!, key, contentType: u.contentType };
  });
  return { raw, uploads };
}

function validate(req: JobRequest, raw: unknown): { jobId: string } {
  const parsed = req.pipeline.job.safeParse(raw);
  if (!parsed.success) throw new JobInputError(fieldProblems(parsed.error));
  return parsed.data;
}

function checkFiles(req: JobRequest): void {
  const problems: FieldProblem[] = [];
  for (const u of req.pipeline.cli.uploads) {
    const path = req.files[u.flag];
    if (path === undefined) problems.push({ field: u.field.join('.'), message: `a local file is required (--${u.flag})` });
    else if (!statSync(path, { throwIfNoEntry: false })?.isFile()) problems.push({ field: u.field.join('.'), message: `no such file: ${path}` });
  }
  if (problems.length) throw new JobInputError(problems);
}

/**
 * Same bytes and same settings → same job id, so the pipeline's idempotency applies across runs. The
 * settings are taken after the schema's defaults, so leaving a flag out and giving its default agree.
 */
export async function deriveJobId(req: JobRequest): Promise<string> {
  const probe = 'job-id-probe';
  let settings = validate(req, assemble(req, probe).raw) as Record<string, unknown>;
  for (const u of req.pipeline.cli.uploads) settings = withoutField(settings, u.field);
  delete settings.jobId;
  const hashes = await Promise.all(req.pipeline.cli.uploads.map((u) => sha256File(req.files[u.flag]!)));
  const content = hashes.length === 1 ? hashes[0]! : createHash('sha256').update(hashes.join('\n')).digest('hex');
  const settingsHash = createHash('sha256').update(canonicalJson(settings)).digest('hex');
  return `${req.pipeline.name}-${content.slice(0, 12)}-${settingsHash.slice(0, 8)}`;
}

export async function prepareJob(req: JobRequest): Promise<PreparedJob> {
  checkFiles(req);
  const jobId = req.jobId ?? (await deriveJobId(req));
  const { raw, uploads } = assemble(req, jobId);
  return { jobId, input: validate(req, raw), uploads, derived: req.jobId === undefined };
}

/** The parts of a zod schema's definition that say where a field's default is. */
interface SchemaNode {
  def?: { type?: string; defaultValue?: unknown; innerType?: SchemaNode; shape?: Record<string, SchemaNode>; in?: SchemaNode };
  shape?: Record<string, SchemaNode>;
}

/**
 * The default the job schema gives the field at `path` (read from the schema itself, so a pipeline
 * whose input has required fields, such as the ETL spec, still shows its defaults); undefined if none.
 */
export function schemaDefault(schema: unknown, path: FieldPath): unknown {
  let node = schema as SchemaNode | undefined;
  for (const part of path) {
    node = unwrap(node);
    node = node?.def?.shape?.[part] ?? node?.shape?.[part];
  }
  for (let depth = 0; node?.def && depth < 8; depth++) {
    if (node.def.type === 'default') return node.def.defaultValue;
    node = node.def.innerType ?? node.def.in;
  }
  return undefined;
}

/** Through optional, nullable, default and prefault wrappers to the object schema inside. */
function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let depth = 0; current?.def && !current.def.shape && depth < 8; depth++) current = current.def.innerType ?? current.def.in;
  return current;
}
