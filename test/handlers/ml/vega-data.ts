// Real datasets from the vega-datasets package as the tests' input: their JSON records, and the same
// records written as CSV (null as an empty field), so a test can compute what Prepare should find from
// the JSON, independently of the code under test.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type JsonRecord = Record<string, string | number | boolean | null>;

// The package's exports map hides data/: the files are read by path, as the ETL's flights test does.
const DATA = new URL('../../../node_modules/vega-datasets/data/', import.meta.url);

export function vegaDataUrl(name: string): URL {
  return new URL(name, DATA);
}

export function vegaRecords(name: 'penguins.json' | 'cars.json'): JsonRecord[] {
  return JSON.parse(readFileSync(fileURLToPath(vegaDataUrl(name)), 'utf8')) as JsonRecord[];
}

function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV of `records` over `columns` (default: the first record's keys); row k is file row k + 2. */
export function toCsv(records: readonly JsonRecord[], columns: readonly string[] = Object.keys(records[0]!)): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of records) lines.push(columns.map((c) => csvField(r[c])).join(','));
  return lines.join('\n') + '\n';
}

/** Mean and population standard deviation of the numbers among `values` (nulls skipped). */
export function meanStd(values: readonly (number | null)[]): { mean: number; std: number; n: number } {
  const xs = values.filter((v): v is number => typeof v === 'number');
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
  return { mean, std, n: xs.length };
}
