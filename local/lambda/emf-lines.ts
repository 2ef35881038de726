// The runner's stand-in for CloudWatch's EMF extraction: a worker's stdout line that is an embedded-metric-
// format record is appended to `<dataDir>/metrics/emf.ndjson` (it goes to the function's log as well), so
// `longhaul cost` and the console can read what the handlers measured.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the EMF records of a data dir's runs are kept, one JSON object a line. */
export function emfFilePath(dataDir: string): string {
  return join(dataDir, 'metrics', 'emf.ndjson');
}

// Powertools serializes `_aws` first: the prefix check keeps ordinary log lines off JSON.parse.
const EMF_PREFIX = '{"_aws":';

/** True for a line CloudWatch would read as EMF: a JSON object whose `_aws.CloudWatchMetrics` is an array. */
export function isEmfLine(text: string): boolean {
  if (!text.startsWith(EMF_PREFIX)) return false;
  try {
    const record = JSON.parse(text) as { _aws?: { CloudWatchMetrics?: unknown } };
    return Array.isArray(record._aws?.CloudWatchMetrics);
  } catch {
    return false;
  }
}

export interface EmfSink {
  write(line: string): void;
  close(): Promise<void>;
}

/** Appends lines to `file` (created on the first line, with its directory), in the order written. */
export function createEmfSink(file: string): EmfSink {
  let stream: WriteStream | undefined;
  return {
    write(line) {
      if (!stream) {
        mkdirSync(dirname(file), { recursive: true });
        stream = createWriteStream(file, { flags: 'a' });
        // Losing metrics must not take the runner down: say so once and go on.
        let reported = false;
        stream.on('error', (err) => {
          if (!reported) process.stderr.write(`metrics: cannot write ${file}: ${err.message}\n`);
          reported = true;
        });
      }
      stream.write(`${line}\n`);
    },
    close: () =>
      new Promise((resolve) => {
        if (!stream) return resolve();
        stream.end(() => resolve());
      }),
  };
}
