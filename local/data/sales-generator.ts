// Sales data for the ETL pipeline's demos, tests and benchmarks: a seeded CSV of any size with what real
// exports contain (quoted commas, quotes and newlines, non-ASCII names, empty fields), and with `dirty`
// the defects a loader must reject row by row (ragged rows, bad numbers, invalid UTF-8, bad dates).
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { seededRandom, type Random } from '../../handlers/lib/seeded-random';

/** The columns, as an ETL spec types them. */
export const SALES_COLUMNS = {
  order_id: 'int!',
  order_date: 'timestamp',
  region: 'string!',
  product: 'string',
  quantity: 'int',
  unit_price: 'decimal(10,2)',
  discount: 'float',
  customer: 'string',
  returned: 'bool',
} as const;

export const DEFECTS = ['ragged', 'extra-field', 'bad-int', 'bad-decimal', 'invalid-utf8', 'bad-timestamp'] as const;
export type Defect = (typeof DEFECTS)[number];

export interface SalesOptions {
  rows: number;
  seed?: number;
  /** One row in `dirtyEvery` gets a defect (default 100) when `dirty` is set. */
  dirty?: boolean;
  dirtyEvery?: number;
}

export interface SalesFile {
  rows: number;
  bytes: number;
  /** 1-based numbers of the data rows (header not counted) given a defect, with its kind. */
  defects: { row: number; defect: Defect }[];
}

const REGIONS = ['North', 'South', 'East', 'West', 'Central', 'São Paulo', 'Zürich', 'Île-de-France', 'Kraków', 'Österreich', 'Tōkyō', 'Québec'];
const PRODUCTS = [
  'Widget', 'Gadget', 'Gizmo', 'Sprocket', 'Doohickey', 'Widget, large', 'The "Pro" kit', 'Café crème', '日本茶', 'Ümlaut & Co',
  'Two-line\nlabel', 'Tab\tseparated', 'Emoji 📦 box', 'Semi;colon', 'Trailing space ', '',
];

function csvField(text: string): string {
  return /[",\n\r]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function timestamp(random: Random): string {
  const t = new Date(Date.UTC(2024, 0, 1) + random.int(0, 730 * 24 * 3600 - 1) * 1000);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
}

/** One clean row's fields, in SALES_COLUMNS order. */
function cleanRow(random: Random, orderId: number): string[] {
  const cents = random.int(50, 99_999);
  return [
    String(orderId),
    timestamp(random),
    random.pick(REGIONS),
    random.pick(PRODUCTS),
    random.next() < 0.01 ? '' : String(random.int(1, 50)),
    `${Math.floor(cents / 100)}.${pad(cents % 100)}`,
    String(random.next() * 0.3),
    `C${pad(random.int(1, 200_000), 6)}`,
    random.next() < 0.05 ? 'true' : 'false',
  ];
}

/** The row's bytes with the defect applied: fields are still CSV-quoted where needed. */
function rowBytes(fields: string[], defect: Defect | undefined): Buffer {
  const f = [...fields];
  if (defect === 'ragged') f.pop();
  if (defect === 'extra-field') f.push('surplus');
  if (defect === 'bad-int') f[4] = '12x';
  if (defect === 'bad-decimal') f[5] = '12.3.4';
  if (defect === 'bad-timestamp') f[1] = '2024-13-45 99:00:00';
  const text = `${f.map(csvField).join(',')}\n`;
  if (defect !== 'invalid-utf8') return Buffer.from(text, 'utf8');
  // A product name with bytes that are not UTF-8 at all, as a latin-1 export mixed into a UTF-8 file.
  const [before, after] = [f.slice(0, 3).map(csvField).join(','), f.slice(4).map(csvField).join(',')];
  return Buffer.concat([Buffer.from(`${before},`), Buffer.from([0x43, 0x61, 0x66, 0xe9, 0xff]), Buffer.from(`,${after}\n`)]);
}

/**
 * Writes the CSV to `path`, streaming (any size), and says which rows carry which defect. The file
 * appears only when complete: an interrupted run leaves no half file that looks finished.
 */
export async function writeSalesCsv(path: string, opts: SalesOptions): Promise<SalesFile> {
  const partial = `${path}.partial`;
  try {
    const file = await writeRows(partial, opts);
    await rename(partial, path);
    return file;
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

async function writeRows(path: string, opts: SalesOptions): Promise<SalesFile> {
  const random = seededRandom(opts.seed ?? 1);
  const every = opts.dirtyEvery ?? 100;
  const out = createWriteStream(path);
  const defects: SalesFile['defects'] = [];
  let bytes = 0;
  let pending: Buffer[] = [Buffer.from(`${Object.keys(SALES_COLUMNS).join(',')}\n`)];
  let pendingBytes = pending[0]!.length;
  const flush = async () => {
    const chunk = Buffer.concat(pending);
    bytes += chunk.length;
    pending = [];
    pendingBytes = 0;
    if (!out.write(chunk)) await once(out, 'drain');
  };
  for (let row = 1; row <= opts.rows; row++) {
    const fields = cleanRow(random, row);
    const defect = opts.dirty && random.int(1, every) === 1 ? random.pick(DEFECTS) : undefined;
    if (defect) defects.push({ row, defect });
    const line = rowBytes(fields, defect);
    pending.push(line);
    pendingBytes += line.length;
    if (pendingBytes >= 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, 'close');
  return { rows: opts.rows, bytes, defects };
}
