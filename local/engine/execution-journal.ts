// Durable executions: everything the engine must know after a crash, appended to files as it happens.
//   <dir>/index.ndjson          one line per execution start, close and redrive, and per Map Run change
//   <dir>/events/<id>.ndjson    one line per history event of one execution: [key, event]
// Lines are buffered and written once per turn of the event loop, so a burst of transitions costs one
// append per file. A kill loses at most that last turn, which a resumed execution simply runs again
// (at-least-once, as in AWS); a line cut short by the kill is ignored when read back.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from './types';

/** What an execution was started with: enough to run it again from its history. */
export interface JournalStart {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn?: string;
  startDate: string;
  input: string;
  definition: string;
  parentExecutionArn?: string;
  mapRunArn?: string;
  testCase?: string;
  /** A parent waits for this one (a Map Run's item, a `.sync` child): its replay re-attaches it. */
  awaited?: boolean;
  /** The redrive round of its Map Run in which this item (re)started. */
  round?: number;
}

export interface JournalClose {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  stopDate: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface JournalRedrive {
  executionArn: string;
  redriveCount: number;
  redriveDate: string;
  round?: number;
}

/** A Map Run's own figures (its item counts come from its children's records). */
export interface JournalMapRun {
  mapRunArn: string;
  executionArn: string;
  stateName: string;
  startDate: string;
  stopDate?: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  total: number;
  maxConcurrency: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
  redriveCount: number;
  redriveDate?: string;
}

export type IndexLine =
  | { t: 'start'; r: JournalStart }
  | { t: 'close'; r: JournalClose }
  | { t: 'redrive'; r: JournalRedrive }
  | { t: 'mapRun'; r: JournalMapRun };

export interface EventWriter {
  write(key: string, event: HistoryEvent): void;
  /** The execution closed: its file is released once what is buffered is written. */
  close(): void;
}

/** Files kept open between writes (opening and closing one per write cost more than the write itself). */
const MAX_OPEN_FILES = 256;

export interface Journal {
  readonly dir: string;
  /** Every index line, oldest first (read once, at start). */
  readIndex(): IndexLine[];
  append(line: IndexLine): void;
  /** The writer of one execution's events (its file found once, not per event). */
  eventWriter(executionArn: string): EventWriter;
  /** An execution's recorded history and the events' keys. */
  readEvents(executionArn: string): { events: HistoryEvent[]; keys: string[] };
  /** Writes what is buffered now (also done by itself once per event-loop turn). */
  flush(): void;
  /** Writes what is buffered and releases every file. */
  close(): void;
}

function fileId(executionArn: string): string {
  return createHash('sha1').update(executionArn).digest('hex');
}

/**
 * A file's complete lines. A last line without its newline was cut short by a kill: it is removed from
 * the file, so that the next append does not glue a new line to it.
 */
function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  let text = readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) {
    truncateSync(file, Buffer.byteLength(text.slice(0, end)));
    text = text.slice(0, end);
  }
  return parseLines<T>(text, file);
}

function parseLines<T>(text: string, file: string): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '') continue;
    try {
      out.push(JSON.parse(lines[i]!) as T);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not a journal line (${(err as Error).message})`);
    }
  }
  return out;
}

export function openJournal(dir: string): Journal {
  const eventsDir = join(dir, 'events');
  mkdirSync(eventsDir, { recursive: true });
  const indexFile = join(dir, 'index.ndjson');
  const pending = new Map<string, string[]>();
  // Open files, least recently written first; those of closed executions are released at the next flush.
  const open = new Map<string, number>();
  const releasing = new Set<string>();
  let scheduled = false;

  const fdOf = (file: string): number => {
    let fd = open.get(file);
    if (fd === undefined) {
      fd = openSync(file, 'a');
      if (open.size >= MAX_OPEN_FILES) {
        const [oldest, oldFd] = open.entries().next().value!;
        closeSync(oldFd);
        open.delete(oldest);
      }
    } else {
      open.delete(file);
    }
    open.set(file, fd);
    return fd;
  };
  const flush = () => {
    scheduled = false;
    for (const [file, lines] of pending) writeSync(fdOf(file), lines.join(''));
    pending.clear();
    for (const file of releasing) {
      const fd = open.get(file);
      if (fd !== undefined) closeSync(fd);
      open.delete(file);
    }
    releasing.clear();
  };
  const linesOf = (file: string) => {
    let lines = pending.get(file);
    if (!lines) pending.set(file, (lines = []));
    return lines;
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const write = (file: string, line: string) => {
    linesOf(file).push(line);
    schedule();
  };

  return {
    dir,
    readIndex: () => readLines<IndexLine>(indexFile),
    append: (line) => write(indexFile, `${JSON.stringify(line)}\n`),
    eventWriter(executionArn) {
      const file = join(eventsDir, `${fileId(executionArn)}.ndjson`);
      return {
        write: (key, event) => write(file, `${JSON.stringify([key, event])}\n`),
        close() {
          releasing.add(file);
          schedule();
        },
      };
    },
    readEvents(executionArn) {
      const file = join(eventsDir, `${fileId(executionArn)}.ndjson`);
      type Line = [string, HistoryEvent & { timestamp: string }];
      // Buffered lines are part of the history too.
      const lines = [...readLines<Line>(file), ...parseLines<Line>(pending.get(file)?.join('') ?? '', file)];
      const events: HistoryEvent[] = [];
      const keys: string[] = [];
      for (const [key, raw] of lines) {
        events.push({ ...raw, timestamp: new Date(raw.timestamp) });
        keys.push(key);
      }
      return { events, keys };
    },
    flush,
    close() {
      flush();
      for (const fd of open.values()) closeSync(fd);
      open.clear();
    },
  };
}
