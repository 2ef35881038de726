// A dataset in memory as typed columns: numbers in a Float64Array, categories as level codes. A row of a
// few numbers costs tens of bytes this way, where row objects of strings would cost hundreds, which is
// what lets Prepare hold millions of rows in one Lambda.
//
// A column's kind is decided by its values once all are read (every present value a number: numeric;
// otherwise categorical) unless the job says which it is. Until then a builder keeps both readings.
import { InvalidInput } from '../lib/errors';
import { isMissing, levelOf, numberOf, ordinal, showValue, type RawValue } from './dataset-values';

export type ColumnKind = 'numeric' | 'categorical';

/** Most levels a categorical feature may have: each is one model input, and thousands mean an id or free text. */
export const MAX_LEVELS = 1000;

/** Distinct values a builder counts before giving up on a column as categorical (bounds its memory). */
export const LEVEL_TRACKING_LIMIT = 100_000;

export interface NumericColumn {
  name: string;
  kind: 'numeric';
  /** One value a row, NaN where missing (non-finite values are refused when the column is built). */
  values: Float64Array;
  missing: number;
}

export interface CategoricalColumn {
  name: string;
  kind: 'categorical';
  /** One code a row into `levels`, -1 where missing. */
  codes: Int32Array;
  /** Distinct present values, in order of first appearance. */
  levels: string[];
  missing: number;
  /** The row where the column passed MAX_LEVELS distinct values, if it did. */
  levelLimitRow?: number;
  /** Its first present value that is not a number (why it is not numeric), unless the job made it categorical. */
  firstText?: { row: number; text: string };
}

export type DatasetColumn = NumericColumn | CategoricalColumn;

/** The columns a job reads from one file. */
export interface DatasetTable {
  /** The S3 key or path, named in messages. */
  source: string;
  /** Every column of the file, in file order, read or not (messages list them). */
  fileColumns: string[];
  rows: number;
  /**
   * Each row's 1-based row number in the file, what messages name. CSV: the header is row 1 and blank
   * lines count (as in the ETL's rejects.csv); Parquet: the row's position.
   */
  rowNumbers: Float64Array;
  columns: Map<string, DatasetColumn>;
}

class Growable<A extends Float64Array | Int32Array> {
  length = 0;
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(Math.max(1024, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  done(): A {
    return this.data.subarray(0, this.length) as A;
  }
}

export const float64s = () => new Growable(new Float64Array(1024), (n) => new Float64Array(n));
const int32s = () => new Growable(new Int32Array(1024), (n) => new Int32Array(n));

/** Collects one column's cells in row order; `build()` decides its kind and checks its values. */
export class ColumnBuilder {
  private numbers: Growable<Float64Array> | undefined;
  private codes: Growable<Int32Array> | undefined;
  private levels: string[] = [];
  private levelIndex = new Map<string, number>();
  private missing = 0;
  private nonFinite: { row: number; value: RawValue } | undefined;
  private firstText: { row: number; text: string } | undefined;
  private levelLimitRow: number | undefined;

  constructor(
    readonly name: string,
    private readonly source: string,
    /** The kind the job asked for; undefined to infer it from the values. */
    private readonly forced?: ColumnKind,
  ) {
    if (forced !== 'categorical') this.numbers = float64s();
    if (forced !== 'numeric') this.codes = int32s();
  }

  push(value: RawValue, row: number): void {
    if (value === null || value === undefined || isMissing(value)) {
      this.missing++;
      this.numbers?.push(NaN);
      this.codes?.push(-1);
      return;
    }
    if (this.numbers) {
      // A boolean is a category unless the job asks for it as a number (1/0).
      const n = typeof value === 'boolean' && this.forced !== 'numeric' ? undefined : numberOf(value);
      if (n === undefined) {
        if (this.forced === 'numeric') {
          throw new InvalidInput(`Column "${this.name}" must hold numbers (the job makes it numeric) but row ${row} holds ${showValue(value)} (${this.source})`, { field: this.name, row, key: this.source });
        }
        // Text: categorical from here on, so the numbers read so far are of no more use.
        this.numbers = undefined;
        this.firstText = { row, text: String(value) };
      } else {
        if (!Number.isFinite(n)) this.nonFinite ??= { row, value };
        this.numbers.push(n);
      }
    }
    if (this.codes) this.pushLevel(levelOf(value), row);
  }

  private pushLevel(level: string, row: number): void {
    let code = this.levelIndex.get(level);
    if (code === undefined) {
      code = this.levels.length;
      if (code === LEVEL_TRACKING_LIMIT) {
        // Far past any usable categorical: stop counting, and keep it only if it turns out numeric.
        this.codes = undefined;
        this.levelIndex.clear();
        this.levels = [];
        if (!this.numbers) this.refuseLevels(`more than ${LEVEL_TRACKING_LIMIT}`);
        return;
      }
      this.levels.push(level);
      this.levelIndex.set(level, code);
      if (code === MAX_LEVELS) this.levelLimitRow = row;
    }
    this.codes!.push(code);
  }

  private refuseLevels(count: string): never {
    const row = this.levelLimitRow!;
    throw new InvalidInput(
      `Column "${this.name}" is categorical with ${count} distinct values (the ${ordinal(MAX_LEVELS + 1)} first appears at row ${row}): at most ${MAX_LEVELS} levels are allowed, each being one model input; leave it out of the features, or make it numeric (${this.source})`,
      { field: this.name, row, key: this.source },
    );
  }

  build(): DatasetColumn {
    if (this.numbers) {
      if (this.nonFinite) {
        const { row, value } = this.nonFinite;
        throw new InvalidInput(`Column "${this.name}" is numeric but row ${row} holds ${showValue(value)}: NaN and infinities cannot be standardized or learned from; leave the field empty to have it imputed (${this.source})`, { field: this.name, row, key: this.source });
      }
      return { name: this.name, kind: 'numeric', values: this.numbers.done(), missing: this.missing };
    }
    if (!this.codes) this.refuseLevels(`more than ${LEVEL_TRACKING_LIMIT}`);
    return {
      name: this.name,
      kind: 'categorical',
      codes: this.codes.done(),
      levels: this.levels,
      missing: this.missing,
      levelLimitRow: this.levelLimitRow,
      firstText: this.firstText,
    };
  }
}
