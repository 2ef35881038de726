// Runs ffmpeg/ffprobe as child processes with argument arrays (never a shell, so no quoting bugs
// with odd file names) and turns their failures into errors that quote ffmpeg's own last words.
import { spawn } from 'node:child_process';
import { TransientError } from './errors';
import { binaryPath, type Binary } from './ffmpeg-binaries';

/** ffmpeg (or ffprobe) exited with an error; `stderrTail` is what it said last. */
export class FfmpegFailed extends Error {
  override name = 'FfmpegFailed';
  constructor(
    readonly binary: Binary,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderrTail: string[],
  ) {
    const said = stderrTail.length ? stderrTail.join(' | ') : '(no output)';
    super(`${binary} exited with code ${exitCode}: ${said}`);
  }
}

/** One `-progress` report: ffmpeg prints a block of key=value lines ending in `progress=continue|end`. */
export interface FfmpegProgress {
  frame: number;
  outTimeSeconds: number;
  speed: number | undefined;
  done: boolean;
}

export interface RunOptions {
  /** Called for every progress block (ffmpeg only; adds `-progress pipe:1`). */
  onProgress?: (p: FfmpegProgress) => void;
  /** Receives raw stdout instead of progress parsing, e.g. decoded PCM from `-f s16le pipe:1`. */
  onStdout?: (chunk: Buffer) => void;
  /** Receives stdout line by line (trimmed, the last one too), e.g. ffprobe's csv or ffmpeg's framecrc. */
  onLine?: (line: string) => void;
  /** Kills ffmpeg (SIGKILL) when aborted. */
  signal?: AbortSignal;
  /** How many of ffmpeg's last stderr lines to keep for error messages. */
  tailLines?: number;
}

export interface RunResult {
  /** stdout, when neither onProgress nor onStdout consumed it. */
  stdout: string;
  /** Last stderr lines (also on success: warnings worth logging). */
  stderrTail: string[];
}

/** Keeps only the last `max` complete lines of a stream without holding the whole stream. */
function lineTail(max: number) {
  const lines: string[] = [];
  let partial = '';
  return {
    push(chunk: string) {
      const parts = (partial + chunk).split(/\r?\n|\r/);
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.trim()) continue;
        lines.push(line.trim());
        if (lines.length > max) lines.shift();
      }
    },
    lines(): string[] {
      const out = partial.trim() ? [...lines, partial.trim()] : [...lines];
      return out.slice(-max);
    },
  };
}

/** Calls `onLine` with each line (trimmed) of a stream fed in chunks; `end()` passes on the last, unterminated one. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line.trim());
    },
    end() {
      if (partial.trim()) onLine(partial.trim());
      partial = '';
    },
  };
}

/** Parses the key=value lines of `-progress` output, calling `emit` once per block. */
export function progressParser(emit: (p: FfmpegProgress) => void): (chunk: string) => void {
  let block: Record<string, string> = {};
  const lines = lineSplitter((line) => {
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    block[key] = value;
    if (key !== 'progress') return;
    const outUs = Number(block.out_time_us ?? block.out_time_ms);
    const speed = Number.parseFloat(block.speed ?? '');
    emit({
      frame: Number(block.frame ?? 0) || 0,
      outTimeSeconds: Number.isFinite(outUs) && outUs > 0 ? outUs / 1e6 : 0,
      speed: Number.isFinite(speed) ? speed : undefined,
      done: value === 'end',
    });
    block = {};
  });
  return (chunk: string) => lines.push(chunk);
}

/**
 * Runs ffmpeg or ffprobe and resolves when it exits 0. A non-zero exit throws FfmpegFailed quoting
 * the last stderr lines; death by a signal (OOM killer, abort) throws TransientError since a retry
 * may well succeed.
 */
export async function run(binary: Binary, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const path = await binaryPath(binary);
  const fullArgs =
    binary === 'ffmpeg'
      ? ['-hide_banner', '-nostdin', ...(options.onProgress ? ['-progress', 'pipe:1', '-nostats'] : []), ...args]
      : ['-hide_banner', ...args];
  const child = spawn(path, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = lineTail(options.tailLines ?? 8);
  const stdoutParts: Buffer[] = [];
  const parseProgress = options.onProgress ? progressParser(options.onProgress) : undefined;
  const stdoutLines = options.onLine ? lineSplitter(options.onLine) : undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    if (options.onStdout) options.onStdout(chunk);
    else if (stdoutLines) stdoutLines.push(chunk.toString('utf8'));
    else if (parseProgress) parseProgress(chunk.toString('utf8'));
    else stdoutParts.push(chunk);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => tail.push(chunk));

  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve({ code: c, signal: s }));
    });
    stdoutLines?.end();
    if (signal) {
      throw new TransientError(`${binary} was killed by ${signal}: ${tail.lines().join(' | ') || '(no output)'}`, { binary, signal });
    }
    if (code !== 0) throw new FfmpegFailed(binary, fullArgs, code, tail.lines());
    return { stdout: Buffer.concat(stdoutParts).toString('utf8'), stderrTail: tail.lines() };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
