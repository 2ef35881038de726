// The columns of aggregates.csv / aggregates.parquet: the group-by columns, then one per aggregate, each
// with its type, and how a value is written as CSV text.
import { formatDecimal } from './aggregate/decimal';
import type { EtlValue } from './parquet-values';
import type { ColumnType, EtlSpec } from './spec';
import { resultTypeOf } from './spec-aggregates';

export interface OutputColumn {
  name: string;
  type: ColumnType;
}

export function outputColumns(spec: EtlSpec): OutputColumn[] {
  const groups = spec.groupBy.map((name) => ({ name, type: spec.rowColumns.find((c) => c.name === name)!.type }));
  return [...groups, ...spec.aggregates.map((a) => ({ name: a.name, type: resultTypeOf(spec, a) }))];
}

/** An aggregate's result in the column's value representation (counts come back as numbers). */
export function asOutputValue(type: ColumnType, value: unknown): EtlValue {
  if (value === null || value === undefined) return null;
  if (type.kind === 'int' && typeof value === 'number') return BigInt(value);
  return value as EtlValue;
}

const pad = (n: number | bigint, width = 2) => String(n).padStart(width, '0');

function dateText(days: number): string {
  const d = new Date(days * 86_400_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function timestampText(micros: bigint): string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = micros - seconds * 1_000_000n;
  const d = new Date(Number(seconds) * 1000);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${dateText(Math.floor(Number(seconds) / 86_400))} ${time}${fraction === 0n ? '' : `.${pad(fraction, 6)}`}`;
}

export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A value as CSV text: what DuckDB's read_csv reads back as the same value of the column's type. */
export function csvText(type: ColumnType, value: EtlValue): string {
  if (value === null) return '';
  switch (type.kind) {
    case 'string':
      return csvQuote(value as string);
    case 'decimal':
      return formatDecimal(value as bigint, type.scale ?? 0);
    case 'date':
      return dateText(value as number);
    case 'timestamp':
      return timestampText(value as bigint);
    default:
      return String(value);
  }
}
