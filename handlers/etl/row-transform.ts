// What a transform is, in the two shapes the ETL pipeline knows:
//
// - A TransformModule is what a person writes (in handlers/etl/transforms/): it reads some of the spec's
//   typed columns and derives new ones, and may filter a row out or reject it with a reason. Its rows
//   are objects typed from its own declarations, so `row.delay` is a `bigint | null` for an `int` column
//   and a misspelt output is a compile error. It may bring aggregate functions of its own, which a spec
//   then names like the built-in ones (`"m": "median(delay)"`).
// - A RowTransform is what the partition code runs: a typed row (values in column order) in, the row
//   out, FILTERED, or a Rejection. A module becomes one (module-transform.ts), and so does the spec's
//   own `where` (spec-transform.ts): a partition runs one chain of them, whatever the spec asks.
//
// The contract of a module, which the pipeline's exactness rests on: `map` is pure and deterministic
// (no I/O, no clock, no randomness, no state kept between rows), because a partition may be cut anywhere
// and a turn may be retried; its aggregates' states merge associatively and commutatively, and their
// JSON is canonical, so partial states merged in any split, tree or order give the same result.
import type { Aggregate, ValueByKind } from './aggregate/aggregates';
import type { EtlValue } from './parquet-values';
import type { ColumnKind, ColumnType, TypedColumn } from './spec';

/** A column type as a spec writes it: `int`, `string!`, `decimal(12,2)`. */
type BaseTypeText = Exclude<ColumnKind, 'decimal'> | `decimal(${number},${number})`;
export type ColumnTypeText = BaseTypeText | `${BaseTypeText}!`;

/** Column names and their types, in order: what a module reads, and what it outputs. */
export type ColumnDecls = Readonly<Record<string, ColumnTypeText>>;

type KindOfText<T> = T extends `${infer Base}!` ? KindOfText<Base> : T extends `decimal(${string})` ? 'decimal' : T extends ColumnKind ? T : never;

/** The JavaScript value of a column of that type (parquet-values.ts): `int!` is a bigint, `int` a bigint or null. */
export type ValueOfText<T extends ColumnTypeText> = T extends `${string}!` ? ValueByKind[KindOfText<T>] : ValueByKind[KindOfText<T>] | null;

/** A row of the declared columns, by name. */
export type TypedRow<C extends ColumnDecls> = { readonly [K in keyof C]: ValueOfText<C[K]> };

/** The row is not wanted: counted in `rowsFiltered`, like a row the spec's `where` drops. */
export const FILTERED: unique symbol = Symbol('FILTERED');
export type Filtered = typeof FILTERED;

/** The row is bad: it goes to rejects.csv with this reason, its row number and its raw text, like a field that does not parse. */
export class Rejection {
  constructor(readonly reason: string) {}
}

export function reject(reason: string): Rejection {
  return new Rejection(reason);
}

/**
 * An aggregate function a module brings, named in a spec like a built-in (`median(delay)`). `create`
 * gives the aggregate over one column of that type, with the Aggregate/Accumulator interface of
 * aggregate/aggregates.ts: states that merge exactly in any order and travel as canonical JSON.
 */
export interface CustomAggregate {
  /** The column kinds it takes. */
  readonly accepts: readonly ColumnKind[];
  /** The type of its results over a column of type `input`. */
  resultType(input: ColumnType): ColumnType;
  create(input: ColumnType): Aggregate<never, EtlValue>;
}

export interface TransformModule<In extends ColumnDecls, Out extends ColumnDecls> {
  /** What a spec writes in its `transform` field. */
  readonly name: string;
  /** One line for error messages and the README. */
  readonly description: string;
  /** The spec columns it needs: each must be in the spec's `columns` with this type (`int!` needs `int!`; `int` takes either). */
  readonly reads: In;
  /** The columns it derives, after the spec's columns in every row: `where`, `groupBy`, `aggregates` and `rows` may name them. */
  readonly outputs: Out;
  /** One row's derived values, or FILTERED, or a Rejection. Pure: see the contract above. */
  map(row: TypedRow<In>): { [K in keyof Out]: ValueOfText<Out[K]> } | Filtered | Rejection;
  /** Aggregate functions by name (letters, digits and _); a built-in name cannot be reused. */
  readonly aggregates?: Readonly<Record<string, CustomAggregate>>;
}

/** Any module, as the registry holds them (a module's own row types are checked where it is written). */
export type AnyTransformModule = TransformModule<ColumnDecls, ColumnDecls>;

/** Declares a module, inferring its row types from `reads` and `outputs`. */
export function defineTransform<const In extends ColumnDecls, const Out extends ColumnDecls>(module: TransformModule<In, Out>): TransformModule<In, Out> {
  return module;
}

/** One step of a partition's chain: a typed row (values in `input` column order) to a row of its `columns`. */
export interface RowTransform {
  readonly name: string;
  /** The columns of the rows it returns, in order. */
  readonly columns: readonly TypedColumn[];
  apply(row: readonly EtlValue[]): readonly EtlValue[] | Filtered | Rejection;
}

/** Transforms run one after the other, as one: the first that filters or rejects a row ends it. */
export function chainTransforms(name: string, steps: readonly RowTransform[], input: readonly TypedColumn[]): RowTransform {
  const columns = steps.length === 0 ? input : steps[steps.length - 1]!.columns;
  if (steps.length === 1) return steps[0]!;
  return {
    name,
    columns,
    apply(row) {
      let current = row;
      for (const step of steps) {
        const out = step.apply(current);
        if (out === FILTERED || out instanceof Rejection) return out;
        current = out;
      }
      return current;
    },
  };
}
