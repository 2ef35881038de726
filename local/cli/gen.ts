// `longhaul gen sales`: sample data for the ETL pipeline, seeded so every machine gets the same bytes.
import { resolve } from 'node:path';
import { SALES_COLUMNS, writeSalesCsv } from '../data/sales-generator';
import { defineCommand, UsageError } from './command';
import { parseOptions, positiveNumber, wholeNumber } from './option-values';

const help = `Usage: longhaul gen sales --rows <n> --out <file.csv> [--dirty] [--seed <n>]

Writes a CSV of sales with the columns ${Object.keys(SALES_COLUMNS).join(', ')}: quoted commas, quotes
and newlines, non-ASCII names and empty fields, as real exports have them. The same seed always gives
the same bytes. With --dirty, about one row in 100 gets a defect an ETL job must reject: a missing or
extra field, a bad integer or decimal, invalid UTF-8, an impossible date; their row numbers are printed.

Typed for an ETL spec as: ${JSON.stringify(SALES_COLUMNS)}

Options:
  --rows <n>      Data rows to write (the header is extra). Required.
  --out <file>    Where to write it. Required.
  --dirty         Inject defects (see above).
  --seed <n>      Default 1.
  -h, --help      This text.`;

async function generate(_deps: object, argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    rows: { type: 'string' },
    out: { type: 'string' },
    dirty: { type: 'boolean', default: false },
    seed: { type: 'string' },
  });
  const [dataset, ...extra] = positionals;
  if (dataset !== 'sales') throw new UsageError(dataset ? `unknown dataset "${dataset}" (available: sales)` : 'name the dataset: longhaul gen sales ...');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const rows = wholeNumber('--rows', values.rows);
  if (rows === undefined || rows < 1) throw new UsageError('--rows <n> is required, at least 1');
  if (!values.out) throw new UsageError('--out <file.csv> is required');
  const seed = values.seed === undefined ? 1 : positiveNumber('--seed', values.seed);
  const started = Date.now();
  const file = await writeSalesCsv(resolve(values.out), { rows, seed, dirty: values.dirty });
  const mb = (file.bytes / 1e6).toFixed(1);
  console.error(`wrote ${file.rows} rows (${mb} MB) to ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (values.dirty) console.error(`${file.defects.length} rows with defects: ${file.defects.slice(0, 20).map((d) => `${d.row} ${d.defect}`).join(', ')}${file.defects.length > 20 ? ', ...' : ''}`);
  return 0;
}

export const genCommand = defineCommand<object>({}, { name: 'gen', summary: 'write sample data (sales CSV) for the ETL pipeline', help, run: generate })();
