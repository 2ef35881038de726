// Where a CSV file of any size can be cut so that parallel workers each parse whole rows and,
// together, every data row exactly once, without any task reading the whole file.
//
// A newline ends a row only outside quotes, and whether an offset is inside quotes is the parity of
// the quote bytes before it (RFC 4180: a quote appears only around a quoted field and doubled inside
// one, so every quote flips the state). One range cannot know its entry state, so it is scanned for
// both (`scanRange`, one task per range, in parallel); a short sequential step then learns each
// range's true entry state from the running parity and keeps the matching answer (`stitchBoundaries`).
//
// The delimiter plays no part: only quotes and newlines decide where a row starts. A blank line is a
// row like any other here (it ends in an unquoted newline); it is the partition's parser that skips
// it, so a partition may hold blank lines, or only blank lines. `\r\n` needs nothing special: the row
// ends after its `\n`, and a lone `\r` is data.
//
// A range's partition starts at the first row start made by a newline inside the range: its rows are
// those starting after the range's first byte, up to and including its last. So a row straddling an
// edge belongs to the range it starts in, one starting exactly at a range's first byte to the range
// before (which holds the newline that ends the row before it), and a range in which no row starts
// adds its bytes to the partition before it. The first row start of the file ends the header row.
import { InternalError, InvalidInput } from '../lib/errors';
import { LF, QUOTE } from './csv-bytes';

/** Streams bytes `start..endInclusive` of the file. */
export type ReadRangeStream = (start: number, endInclusive: number) => Promise<AsyncIterable<Uint8Array>>;

/** Bytes `start` (inclusive) to `end` (exclusive) of the file; `index` is its place in the list. */
export interface ByteRange {
  index: number;
  start: number;
  end: number;
}

/**
 * Whole rows for one worker: `start` is the first byte of a row and `end` (exclusive) the first byte
 * of the next partition's first row, or the file size. A worker reads `start..end - 1` and parses it
 * on its own; the last row may lack its final newline.
 */
export interface Partition extends ByteRange {
  /** The 1-based row number of its first row in the file, the header being row 1 (blank lines count). */
  firstRow: number;
}

/** What a range holds if it was entered in one given quote state. Offsets are relative to the range. */
export interface EntryScan {
  /** Offset just after the range's first newline that is outside quotes; null when there is none. */
  firstRowStart: number | null;
  /** Offset of the range's last quote that opens a quoted field; null when none does. */
  lastFieldOpen: number | null;
  /** How many newlines outside quotes the range holds: the rows that end in it. */
  rows: number;
}

/** The summary of one range, the same whichever quote state it starts in: a few numbers, for a state payload. */
export interface RangeScan {
  start: number;
  length: number;
  /** Quote bytes in the range: their parity is how the quote state changes across it. */
  quotes: number;
  /** The answer if the range starts outside a quoted field. */
  outside: EntryScan;
  /** The answer if the range starts inside a quoted field. */
  inside: EntryScan;
}

export interface ScanOptions {
  /** The range's offset in the file. */
  start: number;
  /**
   * The byte before the range, if read. It only sharpens the error for an unterminated quote (a quote
   * right after another one is the second half of an escaped `""`, not a field's start); the row
   * boundaries never depend on it.
   */
  previousByte?: number;
}

export interface CsvPartitions {
  /** Offset of the first data row: just after the header row's newline, or the file size if there is none. */
  dataStart: number;
  /** In file order, contiguous from `dataStart` to the file size; none for an empty or header-only file. */
  partitions: Partition[];
}

/** Splits `fileSize` bytes into ranges of at most `targetBytes`, as even as possible, the last ending at EOF. */
export function planRanges(fileSize: number, targetBytes: number): ByteRange[] {
  requireInteger(fileSize, 'fileSize', 0);
  requireInteger(targetBytes, 'targetBytes', 1);
  const count = Math.ceil(fileSize / targetBytes);
  // Spreading the remainder keeps every range within one byte of the others; computed without
  // `index * fileSize`, which can pass 2^53 for a file of terabytes.
  const base = Math.floor(fileSize / count);
  const longer = fileSize % count;
  const startOf = (index: number) => index * base + Math.min(index, longer);
  return Array.from({ length: count }, (_, index) => ({ index, start: startOf(index), end: startOf(index + 1) }));
}

/** A scan fed the range's bytes chunk by chunk, in order (a stream never held whole). */
export interface RangeScanner {
  push(chunk: Uint8Array): void;
  /** The range's scan, once every byte was pushed. */
  finish(): RangeScan;
}

/** Scans a range for both possible entry states, in one pass over chunks of any size. */
export function rangeScanner(opts: ScanOptions): RangeScanner {
  // Indexed by the parity of the quotes seen so far in this range. Entered outside quotes, the state
  // is outside exactly at parity 0; entered inside, at parity 1. So what is seen outside quotes at
  // parity p belongs to the entry state p (0 = outside, 1 = inside). "None" is -1 until the end:
  // arrays of small integers only stay on V8's fast path.
  const firstRowStart = [-1, -1];
  const lastFieldOpen = [-1, -1];
  const rows = [0, 0];
  let parity = 0;
  let quotes = 0;
  /** Offset in the range of the chunk being scanned. */
  let base = 0;
  let byteBefore = opts.previousByte;
  return {
    push(bytes) {
      // Only quotes and newlines matter: jumping between them with the native indexOf is 3 to 15 times
      // faster than a JavaScript loop over every byte (more where quotes are rare).
      const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      let quote = view.indexOf(QUOTE);
      let newline = view.indexOf(LF);
      while (quote !== -1 || newline !== -1) {
        if (newline === -1 || (quote !== -1 && quote < newline)) {
          // A quote that opens right after a closing one is the second half of an escaped `""`.
          const previous = quote > 0 ? view[quote - 1] : byteBefore;
          if (previous !== QUOTE) lastFieldOpen[parity] = base + quote;
          parity ^= 1;
          quotes++;
          quote = view.indexOf(QUOTE, quote + 1);
        } else {
          rows[parity]++;
          if (firstRowStart[parity] === -1) firstRowStart[parity] = base + newline + 1;
          newline = view.indexOf(LF, newline + 1);
        }
      }
      if (view.length > 0) byteBefore = view[view.length - 1];
      base += view.length;
    },
    finish() {
      const offset = (value: number) => (value === -1 ? null : value);
      const entry = (p: 0 | 1): EntryScan => ({ firstRowStart: offset(firstRowStart[p]!), lastFieldOpen: offset(lastFieldOpen[p]!), rows: rows[p]! });
      return { start: opts.start, length: base, quotes, outside: entry(0), inside: entry(1) };
    },
  };
}

/** Scans one range's bytes, held whole, for both possible entry states. */
export function scanRange(bytes: Uint8Array, opts: ScanOptions): RangeScan {
  const scanner = rangeScanner(opts);
  scanner.push(bytes);
  return scanner.finish();
}

/**
 * Streams one planned range (plus the byte before it, in the same read) through a scanner: the body of a
 * per-range task, e.g. `scanFileRange((s, e) => getRangeStream(key, s, e), range)`. Memory holds a
 * chunk, whatever the range's size. A read shorter than planned (the object changed) is InvalidInput;
 * bytes past the range (s3rver answers `bytes=0-0` with everything) are ignored.
 */
export async function scanFileRange(readRange: ReadRangeStream, range: Pick<ByteRange, 'start' | 'end'>): Promise<RangeScan> {
  requireInteger(range.start, 'range.start', 0);
  requireInteger(range.end, 'range.end', range.start + 1);
  const from = Math.max(0, range.start - 1);
  const expected = range.end - from;
  let scanner: RangeScanner | null = from === range.start ? rangeScanner({ start: range.start }) : null;
  let read = 0;
  const stream = await readRange(from, range.end - 1);
  for await (const received of stream) {
    let chunk = received.subarray(0, Math.max(0, expected - read));
    read += chunk.length;
    if (chunk.length === 0) break;
    if (!scanner) {
      scanner = rangeScanner({ start: range.start, previousByte: chunk[0] });
      chunk = chunk.subarray(1);
    }
    scanner.push(chunk);
  }
  if (read !== expected) throw new InvalidInput(`Read ${read} bytes at ${from}-${range.end - 1} where ${expected} were expected: the file is shorter than planned`);
  return scanner!.finish();
}

/**
 * Turns the scans of all the ranges of a file (any order) into its partitions. Throws `InvalidInput`
 * when the file ends inside a quoted field, naming the quote that is never closed.
 */
export function stitchBoundaries(scans: readonly RangeScan[], fileSize: number, opts: { key?: string } = {}): CsvPartitions {
  const walk = walkTrueStates(inFileOrder(scans, fileSize));
  if (walk.insideQuotes) throw unterminatedQuote(walk, opts.key);
  return partitionsFrom(walk.rowStarts, fileSize);
}

interface TrueStateWalk {
  /** The first true row start of each range that has one, absolute and increasing, with its row number. */
  rowStarts: { offset: number; row: number }[];
  /** True row boundaries in the whole file. */
  rows: number;
  /** Absolute offset of the file's last quote that opens a quoted field. */
  lastFieldOpen: number | null;
  /** The quote state where the walk has got to: once done, whether the file ends inside a quoted field. */
  insideQuotes: boolean;
}

function walkTrueStates(scans: readonly RangeScan[]): TrueStateWalk {
  const walk: TrueStateWalk = { rowStarts: [], rows: 0, lastFieldOpen: null, insideQuotes: false };
  for (const scan of scans) {
    const entry = walk.insideQuotes ? scan.inside : scan.outside;
    // The rows before this range's first row start: those of earlier ranges, and the one it ends.
    if (entry.firstRowStart !== null) walk.rowStarts.push({ offset: scan.start + entry.firstRowStart, row: walk.rows + 2 });
    if (entry.lastFieldOpen !== null) walk.lastFieldOpen = scan.start + entry.lastFieldOpen;
    walk.rows += entry.rows;
    if (scan.quotes % 2 === 1) walk.insideQuotes = !walk.insideQuotes;
  }
  return walk;
}

// A row start at the very end of the file (its final newline) would open an empty partition.
function partitionsFrom(rowStarts: TrueStateWalk['rowStarts'], fileSize: number): CsvPartitions {
  const dataStart = rowStarts[0]?.offset ?? fileSize;
  const starts = rowStarts.filter((s) => s.offset < fileSize);
  const partitions = starts.map((s, index) => ({ index, start: s.offset, end: starts[index + 1]?.offset ?? fileSize, firstRow: s.row }));
  return { dataStart, partitions };
}

// No boundary follows the quote that is never closed, so every row boundary counted comes before it.
function unterminatedQuote(walk: TrueStateWalk, key: string | undefined): InvalidInput {
  const row = walk.rows + 1;
  const where = walk.lastFieldOpen === null ? 'a quoted field' : `the quoted field opened at byte ${walk.lastFieldOpen}`;
  return new InvalidInput(`The CSV ends inside a quoted field: ${where} (row ${row}, the header being row 1) is never closed`, {
    key,
    row,
    byte: walk.lastFieldOpen,
  });
}

// The scans come back from a fan-out; a missing or repeated one would silently lose or double rows.
function inFileOrder(scans: readonly RangeScan[], fileSize: number): RangeScan[] {
  const ordered = [...scans].sort((a, b) => a.start - b.start);
  let expected = 0;
  for (const scan of ordered) {
    if (scan.start !== expected) throw new InternalError(`Range scans do not tile the file: expected one starting at byte ${expected}, got ${scan.start}`);
    expected += scan.length;
  }
  if (expected !== fileSize) throw new InternalError(`Range scans cover ${expected} bytes of a ${fileSize}-byte file`);
  return ordered;
}

function requireInteger(value: number, field: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidInput(`${field} must be an integer of at least ${min}, got ${value}`, { field });
  }
}
