// Splits a worker's stdout/stderr into lines and spots the end-of-invocation mark among them.
import { END_OF_INVOCATION_MARK } from './worker-protocol';

export interface LineSplitter {
  push(chunk: string): void;
  /** Emits a last unterminated line, if any. */
  flush(): void;
}

export function createLineSplitter(onLine: (text: string) => void, onMark: () => void): LineSplitter {
  let pending = '';
  const emit = (line: string): void => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const at = text.indexOf(END_OF_INVOCATION_MARK);
    if (at < 0) {
      onLine(text);
      return;
    }
    // A handler may leave a line unterminated; the mark then lands at its end.
    if (at > 0) onLine(text.slice(0, at));
    onMark();
    const rest = text.slice(at + END_OF_INVOCATION_MARK.length);
    if (rest.length > 0) emit(rest);
  };
  return {
    push(chunk) {
      // Only the new chunk is searched, so a long line arriving in many chunks stays linear.
      let nl = chunk.indexOf('\n');
      if (nl < 0) {
        pending += chunk;
        return;
      }
      emit(pending + chunk.slice(0, nl));
      let start = nl + 1;
      while ((nl = chunk.indexOf('\n', start)) >= 0) {
        emit(chunk.slice(start, nl));
        start = nl + 1;
      }
      pending = chunk.slice(start);
    },
    flush() {
      if (pending.length > 0) emit(pending);
      pending = '';
    },
  };
}
