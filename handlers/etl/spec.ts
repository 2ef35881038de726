// The ETL job's spec: typed columns, row filters, group-by and aggregates, and the rows to keep. Written
// by a person as JSON, so every problem is reported at once, each naming its field
// (`where[1].column: unknown column "dist" (columns: origin, delay, distance)`).
import { z } from 'zod';
import type { AnyTransformModule, ColumnDecls } from './row-transform';
import { TRANSFORMS } from './transforms';

export const COLUMN_KINDS = ['string', 'int', 'float', 'decimal', 'bool', 'date', 'timestamp'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export interface ColumnType {
  kind: ColumnKind;
  /** False for a type written with `!` (`"int!"`): a null (empty field) is a rejected row. */
  nullable: boolean;
  /** decimal(p,s) only: total and fraction digits. */
  precision?: number;
  scale?: number;
}

export interface TypedColumn {
  name: string;
  type: ColumnType;
}

export const OPS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not_in', 'is_null', 'not_null'] as const;
export type Op = (typeof OPS)[number];

export const AGGREGATE_FUNCTIONS = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct', 'stddev'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

export interface BuiltinAggregate {
  /** The output column's name. */
  name: string;
  fn: AggregateFunction;
  /** null for count(*) (written `count`). */
  column: string | null;
}

/** An aggregate function the spec's transform module brings (`median(delay)`). */
export interface ModuleAggregate {
  name: string;
  fn: string;
  /** The transform module whose `aggregates` has `fn`. */
  module: string;
  column: string;
}

export type Aggregate = BuiltinAggregate | ModuleAggregate;

/** The largest decimal precision: what Parquet and Athena hold (DECIMAL(38, s)). */
export const MAX_DECIMAL_PRECISION = 38;

const TYPE = /^(string|int|float|bool|date|timestamp|decimal\(\s*(\d+)\s*,\s*(\d+)\s*\))(!?)$/;
const AGGREGATE = /^(count|sum|avg|min|max|count_distinct|stddev)(?:\(\s*([^()]*?)\s*\))?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMERIC: readonly ColumnKind[] = ['int', 'float', 'decimal'];

/** `"decimal(12,2)!"` → `{ kind: 'decimal', precision: 12, scale: 2, nullable: false }`; a message when it is not a type. */
export function parseColumnType(text: string): ColumnType | string {
  const m = TYPE.exec(text.trim());
  if (!m) return `"${text}" is not a type (${COLUMN_KINDS.join(', ')} as decimal(p,s); add ! for not null)`;
  const nullable = m[4] !== '!';
  if (!m[2]) return { kind: m[1] as ColumnKind, nullable };
  const precision = Number(m[2]);
  const scale = Number(m[3]);
  if (precision < 1 || precision > MAX_DECIMAL_PRECISION) return `decimal precision must be 1-${MAX_DECIMAL_PRECISION}, got ${precision}`;
  if (scale > precision) return `decimal scale ${scale} is larger than its precision ${precision}`;
  return { kind: 'decimal', nullable, precision, scale };
}

const CALL = /^([A-Za-z_][A-Za-z0-9_]*)(?:\(\s*([^()]*?)\s*\))?$/;

/** Which modules bring the function `fn`, for a spec that names it without them. */
function modulesWith(fn: string): string[] {
  return [...TRANSFORMS.values()].filter((m) => m.aggregates && Object.hasOwn(m.aggregates, fn)).map((m) => m.name);
}

/**
 * `"sum(delay)"` → `{ fn: 'sum', column: 'delay' }`; `"count"` and `"count(*)"` → count of rows; with a
 * transform `module`, its functions too (`"median(delay)"`); a message when it is not one.
 */
export function parseAggregate(name: string, text: string, module: AnyTransformModule | null = null): Aggregate | string {
  const m = AGGREGATE.exec(text.trim());
  const call = CALL.exec(text.trim());
  if (!m && call && module?.aggregates && Object.hasOwn(module.aggregates, call[1]!)) {
    const fn = call[1]!;
    if (call[2] === undefined || call[2] === '*') return `${fn} needs a column: ${fn}(col)`;
    return { name, fn, module: module.name, column: call[2] };
  }
  if (!m) {
    const builtins = AGGREGATE_FUNCTIONS.map((f) => (f === 'count' ? 'count, count(col)' : `${f}(col)`));
    const own = Object.keys(module?.aggregates ?? {}).map((f) => `${f}(col)`);
    const elsewhere = call ? modulesWith(call[1]!) : [];
    const hint = elsewhere.length > 0 ? `; ${call![1]} comes with transform ${elsewhere.join(', ')}` : '';
    return `"${text}" is not an aggregate (${[...builtins, ...own].join(', ')}${hint})`;
  }
  const fn = m[1] as AggregateFunction;
  // `count(*)` is how SQL writes count: the same as `count`.
  const column = m[2] === undefined || (fn === 'count' && m[2] === '*') ? null : m[2];
  if (column === null && fn !== 'count') return `${fn} needs a column: ${fn}(col)`;
  return { name, fn, column };
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const rawSpecSchema = z.strictObject({
  columns: z.record(z.string(), z.string()).refine((c) => Object.keys(c).length > 0, 'must name at least one column'),
  transform: z.string().optional(),
  where: z
    .array(z.strictObject({ column: z.string(), op: z.enum(OPS), value: z.union([scalar, z.array(scalar)]).optional() }))
    .default([]),
  groupBy: z.array(z.string()).default([]),
  aggregates: z.record(z.string(), z.string()).default({}),
  rows: z.strictObject({ format: z.literal('parquet').default('parquet'), select: z.array(z.string()).min(1).optional() }).optional(),
});

export interface Condition {
  column: string;
  op: Op;
  /** A scalar for comparisons, a non-empty list for in/not_in, absent for is_null/not_null. */
  value?: string | number | boolean | (string | number | boolean)[];
}

export interface EtlSpec {
  /** The input's columns, typed as each record is read, in the spec's order. */
  columns: TypedColumn[];
  /** The transform module (transforms/index.ts) each typed row goes through before `where`; null for none. */
  transform: string | null;
  /**
   * The columns of a row after the transform: `columns`, then the module's outputs. What `where`,
   * `groupBy`, `aggregates` and `rows` name, and the `rows` columns when `select` is omitted.
   */
  rowColumns: TypedColumn[];
  where: Condition[];
  groupBy: string[];
  aggregates: Aggregate[];
  /** The filtered rows to write as Parquet, and which columns; null when not asked for. */
  rows: { format: 'parquet'; select: string[] } | null;
}

type Ctx = z.RefinementCtx;

function checkValue(ctx: Ctx, path: (string | number)[], type: ColumnType, value: unknown): void {
  const want = type.kind === 'string' || type.kind === 'date' || type.kind === 'timestamp' ? 'string' : type.kind === 'bool' ? 'boolean' : 'number or string';
  const ok = want === 'string' ? typeof value === 'string' : want === 'boolean' ? typeof value === 'boolean' : typeof value === 'number' || typeof value === 'string';
  if (!ok) ctx.addIssue({ code: 'custom', path, message: `must be a ${want} to compare with a ${type.kind} column, got ${JSON.stringify(value)}` });
}

function checkCondition(ctx: Ctx, i: number, c: Condition, types: Map<string, ColumnType>, known: string): void {
  const type = types.get(c.column);
  if (!type) {
    ctx.addIssue({ code: 'custom', path: ['where', i, 'column'], message: `unknown column "${c.column}" (columns: ${known})` });
    return;
  }
  const at = ['where', i, 'value'];
  if (c.op === 'is_null' || c.op === 'not_null') {
    if (c.value !== undefined) ctx.addIssue({ code: 'custom', path: at, message: `${c.op} takes no value` });
  } else if (c.op === 'in' || c.op === 'not_in') {
    if (!Array.isArray(c.value) || c.value.length === 0) ctx.addIssue({ code: 'custom', path: at, message: `${c.op} needs a non-empty list of values` });
    else c.value.forEach((v, k) => checkValue(ctx, [...at, k], type, v));
  } else if (c.value === undefined || Array.isArray(c.value)) {
    ctx.addIssue({ code: 'custom', path: at, message: `${c.op} needs one value` });
  } else {
    checkValue(ctx, at, type, c.value);
  }
}

function checkColumnList(ctx: Ctx, path: (string | number)[], names: readonly string[], types: Map<string, ColumnType>, known: string): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (!types.has(name)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `unknown column "${name}" (columns: ${known})` });
    if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `"${name}" is listed twice` });
    seen.add(name);
  });
}

function checkAggregate(ctx: Ctx, agg: Aggregate, types: Map<string, ColumnType>, groupBy: readonly string[], known: string): void {
  const path = ['aggregates', agg.name];
  if (!NAME.test(agg.name)) ctx.addIssue({ code: 'custom', path, message: 'output names are letters, digits and _ (not starting with a digit)' });
  if (groupBy.includes(agg.name)) ctx.addIssue({ code: 'custom', path, message: `"${agg.name}" is also a group-by column: output columns must be unique` });
  if (agg.column === null) return;
  const type = types.get(agg.column);
  if (!type) ctx.addIssue({ code: 'custom', path, message: `unknown column "${agg.column}" (columns: ${known})` });
  else if ('module' in agg) {
    const accepts = TRANSFORMS.get(agg.module)!.aggregates![agg.fn]!.accepts;
    if (!accepts.includes(type.kind)) ctx.addIssue({ code: 'custom', path, message: `${agg.fn} needs a column of ${accepts.join(' or ')}; "${agg.column}" is ${type.kind}` });
  } else if ((agg.fn === 'sum' || agg.fn === 'avg' || agg.fn === 'stddev') && !NUMERIC.includes(type.kind)) {
    ctx.addIssue({ code: 'custom', path, message: `${agg.fn} needs a numeric column (int, float, decimal); "${agg.column}" is ${type.kind}` });
  }
}

/** A module's declared columns, typed; its declarations are code, so a bad one is a bug. */
export function declaredColumns(decls: ColumnDecls): TypedColumn[] {
  return Object.entries(decls).map(([name, text]) => {
    const type = parseColumnType(text);
    if (typeof type === 'string') throw new TypeError(`column ${name}: ${type}`);
    return { name, type };
  });
}

function typeText(t: ColumnType): string {
  return `${t.kind === 'decimal' ? `decimal(${t.precision},${t.scale})` : t.kind}${t.nullable ? '' : '!'}`;
}

/** The module's required columns must be the spec's, with its types; its outputs come after them. */
function checkTransform(ctx: Ctx, module: AnyTransformModule, columns: readonly TypedColumn[]): TypedColumn[] {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const reads = `transform ${module.name} reads`;
  for (const read of declaredColumns(module.reads)) {
    const type = types.get(read.name);
    const want = typeText(read.type);
    if (!type) ctx.addIssue({ code: 'custom', path: ['columns'], message: `${reads} ${read.name} (${want}): add it to columns` });
    else if (typeText({ ...type, nullable: read.type.nullable || type.nullable }) !== want) {
      ctx.addIssue({ code: 'custom', path: ['columns', read.name], message: `${reads} ${read.name} as ${want}, not ${typeText(type)}` });
    }
  }
  const outputs = declaredColumns(module.outputs);
  for (const out of outputs) {
    if (types.has(out.name)) ctx.addIssue({ code: 'custom', path: ['columns', out.name], message: `"${out.name}" is also an output of transform ${module.name}: column names must be unique` });
  }
  return outputs;
}

/** The module a spec names, or an issue on `transform` listing the modules there are. */
function transformModule(ctx: Ctx, name: string | undefined): AnyTransformModule | null {
  if (name === undefined) return null;
  const module = TRANSFORMS.get(name);
  if (!module) ctx.addIssue({ code: 'custom', path: ['transform'], message: `unknown transform "${name}" (transforms: ${[...TRANSFORMS.keys()].join(', ')})` });
  return module ?? null;
}

export const etlSpecSchema = rawSpecSchema.transform((raw, ctx): EtlSpec => {
  const columns: EtlSpec['columns'] = [];
  for (const [name, text] of Object.entries(raw.columns)) {
    const type = parseColumnType(text);
    if (typeof type === 'string') ctx.addIssue({ code: 'custom', path: ['columns', name], message: type });
    else columns.push({ name, type });
  }
  const module = transformModule(ctx, raw.transform);
  const outputs = module ? checkTransform(ctx, module, columns) : [];
  const rowColumns = [...columns, ...outputs];
  const types = new Map(rowColumns.map((c) => [c.name, c.type]));
  const known = [...new Set([...Object.keys(raw.columns), ...outputs.map((c) => c.name)])].join(', ');
  raw.where.forEach((c, i) => checkCondition(ctx, i, c, types, known));
  checkColumnList(ctx, ['groupBy'], raw.groupBy, types, known);
  const aggregates: Aggregate[] = [];
  for (const [name, text] of Object.entries(raw.aggregates)) {
    const agg = parseAggregate(name, text, module);
    if (typeof agg === 'string') ctx.addIssue({ code: 'custom', path: ['aggregates', name], message: agg });
    else {
      checkAggregate(ctx, agg, types, raw.groupBy, known);
      aggregates.push(agg);
    }
  }
  const rows = raw.rows ? { format: raw.rows.format, select: raw.rows.select ?? [...Object.keys(raw.columns), ...outputs.map((c) => c.name)] } : null;
  if (rows && raw.rows?.select) checkColumnList(ctx, ['rows', 'select'], rows.select, types, known);
  if (aggregates.length === 0 && !rows) {
    ctx.addIssue({ code: 'custom', path: ['aggregates'], message: 'ask for at least one aggregate, or for rows' });
  }
  if (raw.groupBy.length > 0 && aggregates.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['groupBy'], message: 'a group-by needs at least one aggregate' });
  }
  return { columns, transform: module?.name ?? null, rowColumns, where: raw.where, groupBy: raw.groupBy, aggregates, rows };
});
