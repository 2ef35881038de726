// A byte-level CSV record scanner with csv-parse's semantics under the options in csv-rows.ts
// (CSV_PARSE_OPTIONS), at several times its speed: records come out a chunk at a time, each field is
// cut from one decode of its record, and offsets are counted in the file's bytes (an invalid UTF-8
// byte decodes to U+FFFD, three bytes, so text lengths cannot give them).
//
// The rules, as csv-parse applies them (test/handlers/etl/csv-scanner.test.ts checks them against it):
// - a record ends at LF or CRLF outside quotes; a lone CR is data;
// - a field that starts with a quote is quoted: `""` inside it is one quote, and a quote followed by
//   the delimiter, a line break, a NUL byte or the end of the input closes it; a quote followed by
//   anything else is kept as data (relax_quotes): the field becomes `"`, its text so far, `"` and
//   whatever follows up to the next delimiter, quotes there being data too (after a NUL, the same
//   without the two quotes);
// - a quote inside a field that did not start with one is data;
// - a blank line is a record of one empty field (the reader counts it as a row and drops it); the
//   end of the input ends a last record that has any byte, and a quoted field still open there is
//   an error.
import type { Delimiter } from './csv-header';
import type { CsvRecord } from './csv-rows';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/** A decoder's mark for bytes that were not UTF-8. */
const REPLACEMENT = '\uFFFD';

export interface ScanResult {
  records: CsvRecord[];
  /** Absolute offset of a quoted field still open at the end of the input (only from `end()`). */
  unclosedQuoteAt: number | null;
  /** The row number of the record holding it. */
  unclosedQuoteRow: number;
}

// How a field's text is made from its bytes [start, end) in the record.
const PLAIN = 0; // the bytes as they are
const QUOTED = 1; // the bytes between the quotes, `""` unescaped when ESCAPED is set
const ESCAPED = 2;
const REOPENED = 4; // quoted, then data after the closing quote: see the rules above
const AFTER_NUL = 8; // closed by a NUL byte: the NUL and what follows are data, no quotes added

/** Field bounds of the record being scanned: start, end, contentEnd (closing quote), flags. */
const FIELD_SLOTS = 4;

export class CsvRecordScanner {
  private readonly delimiter: number;
  private offset: number;
  private row: number;
  /** Bytes of a record not yet complete, and when to try them again (doubling: linear time on huge records). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private retryAt = 0;
  private bounds = new Int32Array(64 * FIELD_SLOTS);
  private scratch = Buffer.alloc(256);
  /** Where in the scanned buffer the quoted field that never closed opened. */
  private openQuote = 0;

  constructor(opts: { start: number; firstRow: number; delimiter: Delimiter }) {
    this.delimiter = opts.delimiter.charCodeAt(0);
    this.offset = opts.start;
    this.row = opts.firstRow;
  }

  /** The records completed by `chunk`. */
  push(chunk: Buffer): CsvRecord[] {
    if (chunk.length === 0) return [];
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.retryAt) return [];
    return this.scan(false).records;
  }

  /** The last records, at the end of the input. */
  end(): ScanResult {
    return this.scan(true);
  }

  private scan(final: boolean): ScanResult {
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const records: CsvRecord[] = [];
    const len = buf.length;
    let at = 0;
    let unclosedQuoteAt: number | null = null;
    while (at < len) {
      const next = this.record(buf, at, final, records);
      if (next === INCOMPLETE) break;
      if (next === UNCLOSED) {
        unclosedQuoteAt = this.offset + this.openQuote - at;
        break;
      }
      this.offset += next - at;
      at = next;
    }
    const rest = len - at;
    this.pending = rest > 0 ? [buf.subarray(at)] : [];
    this.pendingBytes = rest;
    this.retryAt = rest * 2;
    return { records, unclosedQuoteAt, unclosedQuoteRow: this.row };
  }

  /**
   * Scans the record at `start`; adds it to `out` unless blank. Returns the offset after it, or
   * INCOMPLETE when `buf` ends first (not `final`), or UNCLOSED (`final`, a quote never closed).
   */
  private record(buf: Buffer, start: number, final: boolean, out: CsvRecord[]): number {
    const len = buf.length;
    const delimiter = this.delimiter;
    let nFields = 0;
    let i = start;
    let recordEnd = -1; // after the line break
    let textEnd = -1; // before it
    for (;;) {
      if ((nFields + 1) * FIELD_SLOTS > this.bounds.length) this.growBounds();
      const b = this.bounds;
      const slot = nFields * FIELD_SLOTS;
      const fieldStart = i;
      let flags = PLAIN;
      let contentEnd = 0;
      if (i < len && buf[i] === QUOTE) {
        flags = QUOTED;
        i++;
        for (;;) {
          while (i < len && buf[i] !== QUOTE) i++;
          if (i >= len) {
            if (!final) return INCOMPLETE;
            this.openQuote = fieldStart;
            return UNCLOSED;
          }
          // A quote: escaped, closing, or data (relax_quotes).
          if (i + 1 >= len) {
            if (!final) return INCOMPLETE;
            contentEnd = i++;
            break;
          }
          const after = buf[i + 1]!;
          if (after === QUOTE) {
            flags |= ESCAPED;
            i += 2;
            continue;
          }
          contentEnd = i++;
          if (after === delimiter || after === LF) break;
          if (after === NUL) {
            flags |= AFTER_NUL;
            break;
          }
          if (after === CR) {
            if (i + 1 >= len && !final) return INCOMPLETE;
            if (i + 1 < len && buf[i + 1] === LF) break;
          }
          flags |= REOPENED;
          break;
        }
      }
      // Unquoted bytes (a whole plain field, or what follows a closing quote up to the delimiter).
      while (i < len) {
        const c = buf[i]!;
        if (c === delimiter || c === LF) break;
        i++;
      }
      let fieldEnd = i;
      if (i < len && buf[i] === LF) {
        recordEnd = i + 1;
        // A CR right before the LF is always the CRLF line break: inside quotes the LF would be too.
        if (i > fieldStart && buf[i - 1] === CR) fieldEnd = i - 1;
        textEnd = fieldEnd;
      }
      b[slot] = fieldStart;
      b[slot + 1] = fieldEnd;
      b[slot + 2] = contentEnd;
      b[slot + 3] = flags;
      nFields++;
      if (recordEnd >= 0) break;
      if (i >= len) {
        if (!final) return INCOMPLETE;
        recordEnd = textEnd = len;
        break;
      }
      i++; // the delimiter
      if (i >= len && !final) return INCOMPLETE;
    }
    const row = this.row++;
    // A blank line: one empty field, no bytes before its line break.
    if (nFields === 1 && textEnd === start) return recordEnd;
    const raw = buf.toString('utf8', start, textEnd);
    out.push({ row, fields: this.texts(buf, start, raw, nFields), raw, end: this.offset + (recordEnd - start) });
    return recordEnd;
  }

  /** The fields' texts: cut from the record's one decode when it is valid UTF-8, else decoded one by one as csv-parse does. */
  private texts(buf: Buffer, start: number, text: string, nFields: number): string[] {
    const b = this.bounds;
    const fields = new Array<string>(nFields);
    const valid = !text.includes(REPLACEMENT);
    if (valid && text.length === b[(nFields - 1) * FIELD_SLOTS + 1]! - start) {
      for (let f = 0; f < nFields; f++) {
        const s = f * FIELD_SLOTS;
        fields[f] = fieldText(text, b[s]! - start, b[s + 1]! - start, b[s + 2]! - start, b[s + 3]!);
      }
      return fields;
    }
    if (valid) {
      // Valid UTF-8: string offsets from byte offsets, counting UTF-16 units (4-byte sequences make two).
      let p = start;
      let units = 0;
      const unitAt = (byte: number): number => {
        while (p < byte) {
          const c = buf[p++]!;
          if (c < 0x80 || c >= 0xc0) units += c >= 0xf0 ? 2 : 1;
        }
        return units;
      };
      for (let f = 0; f < nFields; f++) {
        const s = f * FIELD_SLOTS;
        const flags = b[s + 3]!;
        const from = unitAt(b[s]!);
        const content = flags === PLAIN ? 0 : unitAt(b[s + 2]!);
        fields[f] = fieldText(text, from, unitAt(b[s + 1]!), content, flags);
      }
      return fields;
    }
    for (let f = 0; f < nFields; f++) {
      const s = f * FIELD_SLOTS;
      fields[f] = this.decodedField(buf, b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    }
    return fields;
  }

  /** A field's bytes as csv-parse gathers them (unescaped, quotes re-added), decoded in one go. */
  private decodedField(buf: Buffer, from: number, to: number, contentEnd: number, flags: number): string {
    if (flags === PLAIN) return buf.toString('utf8', from, to);
    if (this.scratch.length < to - from + 2) this.scratch = Buffer.alloc((to - from + 2) * 2);
    const out = this.scratch;
    let n = 0;
    if (flags & REOPENED) out[n++] = QUOTE;
    for (let i = from + 1; i < contentEnd; i++) {
      out[n++] = buf[i]!;
      if (buf[i] === QUOTE) i++;
    }
    if (flags & REOPENED) out[n++] = QUOTE;
    for (let i = contentEnd + 1; i < to; i++) out[n++] = buf[i]!;
    return out.toString('utf8', 0, n);
  }

  private growBounds(): void {
    const bigger = new Int32Array(this.bounds.length * 2);
    bigger.set(this.bounds);
    this.bounds = bigger;
  }
}

const INCOMPLETE = -1;
const UNCLOSED = -2;

/** A field's text from the decoded record, `from`/`to`/`contentEnd` being string offsets in it. */
function fieldText(text: string, from: number, to: number, contentEnd: number, flags: number): string {
  if (flags === PLAIN) return text.substring(from, to);
  let content = text.substring(from + 1, contentEnd);
  if (flags & ESCAPED) content = content.replaceAll('""', '"');
  if (flags & REOPENED) return `"${content}"${text.substring(contentEnd + 1, to)}`;
  if (flags & AFTER_NUL) return content + text.substring(contentEnd + 1, to);
  return content;
}
