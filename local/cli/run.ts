// `longhaul run video`: one local video job end to end, with live progress and a summary.
import { createWriteStream, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { formatLogLine } from '../lambda/runtime';
import type { LogLine } from '../lambda/types';
import { DEFAULT_VIDEO_SETTINGS, runVideoJob, type VideoJobEvent, type VideoJobSummary } from '../run/video-job';
import { startLocalStack } from '../stack';
import { UsageError, type CliCommand } from './command';
import { parseOptions, positiveNumber, wholeNumber } from './option-values';
import { waitForCtrlC } from './cli-deps';

const d = DEFAULT_VIDEO_SETTINGS;
const help = `Usage: longhaul run video --input <file> [options]

Runs the video pipeline (asl/video.asl.json) locally end to end: starts local S3 and DynamoDB,
uploads the input, executes the state machine with every task in its own Lambda worker (real
timeouts and memory), shows progress, downloads the result and prints a summary with the
verification figures (frames, duration, audio samples against the source).

Options:
  --input <file>            Source video (any container ffprobe reads). Required.
  --output <file>           Where to write the result. Default .longhaul/out/<name>-<height>p.mp4
  --height <n>              Output height in pixels, even. Default ${d.height}.
  --crf <n>                 x264 constant rate factor 0-51. Default ${d.crf}.
  --preset <name>           x264 preset (ultrafast ... veryslow). Default ${d.preset}.
  --audio-bitrate <kbps>    AAC bitrate. Default ${d.audioBitrateKbps}.
  --chunk-seconds <n>       Chunk length; default: planned from the transcode function's timeout.
  --max-concurrency <n>     Chunks transcoded at once (the Map's MaxConcurrency). Default ${d.maxConcurrency}.
  --job-id <id>             Default: derived from the input's content and the settings, so a re-run
                            of a finished job returns its output without transcoding again.
  --data-dir <dir>          Keep S3 objects and progress records here. Default: a temp dir.
  --verbose                 Show every function's log lines (default: written to a log file).
  -h, --help                This text.

Exit status: 0 success, 1 job failed, 2 bad usage.`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Live progress on stderr. Step changes, finished tasks and failed attempts are printed as lines; on a
 * terminal a last line is rewritten in place with the progress table's counts.
 */
function progressPrinter(): { onEvent(e: VideoJobEvent): void; finish(): void } {
  const tty = process.stderr.isTTY === true;
  let live = '';
  let step = '';
  let chunksDone = 0;
  let chunksTotal = 0;
  let failedAttempts = 0;
  const print = (line: string) => {
    process.stderr.write(tty ? `\r\x1b[2K${line}\n${live}` : `${line}\n`);
  };
  const redraw = () => {
    if (!tty) return;
    live = `  ${step || 'starting'}: chunks ${chunksDone}/${chunksTotal || '?'}${failedAttempts ? `, ${failedAttempts} failed attempts` : ''}`;
    process.stderr.write(`\r\x1b[2K${live}`);
  };
  return {
    onEvent(e) {
      switch (e.kind) {
        case 'uploaded':
          print(`job ${e.jobId}: ${e.skipped ? 'input already uploaded' : `uploaded ${(e.bytes / 1e6).toFixed(1)} MB`} to ${e.key}`);
          break;
        case 'started':
          print(`execution ${e.executionArn}`);
          break;
        case 'task':
          if (!e.ok) {
            failedAttempts += 1;
            print(`  ${e.functionName} failed after ${seconds(e.durationMs)}: ${e.error} (the state's Retry/Catch decide what follows)`);
          } else if (e.functionName === 'VideoTranscodeChunk') {
            chunksDone += 1;
            print(`  chunk ${chunksDone}/${chunksTotal || '?'} done in ${seconds(e.durationMs)}`);
          } else {
            print(`  ${e.functionName} done in ${seconds(e.durationMs)}`);
          }
          break;
        case 'progress':
          chunksTotal = e.job.totalUnits;
          if (e.job.step !== step) {
            step = e.job.step;
            print(`step ${step}`);
          }
          break;
      }
      redraw();
    },
    finish() {
      if (tty) process.stderr.write('\r\x1b[2K');
    },
  };
}

export function formatSummary(s: VideoJobSummary): string {
  const lines: string[] = [];
  lines.push(`status        ${s.result.status}`);
  lines.push(`job           ${s.jobId}`);
  if (s.result.status !== 'SUCCEEDED') {
    lines.push(`error         ${s.result.error ?? ''}`);
    lines.push(`cause         ${s.result.cause ?? ''}`);
  }
  if (s.chunks !== undefined) lines.push(`chunks        ${s.chunks}${s.reused ? ' (job had finished before: output reused, nothing transcoded)' : ''}`);
  lines.push(`total time    ${seconds(s.wallMs)}`);
  if (s.longest) {
    const share = ((100 * s.longest.durationMs) / s.longest.timeoutMs).toFixed(1);
    lines.push(`longest task  ${s.longest.functionName} ${seconds(s.longest.durationMs)} = ${share}% of its ${s.longest.timeoutMs / 1000} s timeout`);
  }
  for (const [name, f] of Object.entries(s.byFunction)) {
    lines.push(`  ${name.padEnd(20)} ${String(f.invocations).padStart(4)} runs, ${f.failures} failed, longest ${seconds(f.longestMs)}`);
  }
  const v = s.verification;
  if (v) {
    lines.push(`verification  ${v.ok ? 'PASSED' : `FAILED: ${v.problems.join('; ')}`}`);
    lines.push(`  frames        ${v.frames.actual} (source ${v.frames.expected})`);
    lines.push(`  duration      ${v.durationSeconds.actual.toFixed(3)} s (source ${v.durationSeconds.expected.toFixed(3)} s, tolerance ±${v.durationSeconds.tolerance.toFixed(3)} s)`);
    if (v.audioSamples) {
      lines.push(`  audio samples ${v.audioSamples.actual} (source ${v.audioSamples.expected}, tolerance ±${v.audioSamples.tolerance})`);
    } else {
      lines.push('  audio         none in the source');
    }
  }
  if (s.outputPath) lines.push(`output        ${s.outputPath}`);
  return lines.join('\n');
}

export async function runVideoCli(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    input: { type: 'string' },
    output: { type: 'string' },
    height: { type: 'string' },
    crf: { type: 'string' },
    preset: { type: 'string' },
    'audio-bitrate': { type: 'string' },
    'chunk-seconds': { type: 'string' },
    'max-concurrency': { type: 'string' },
    'job-id': { type: 'string' },
    'data-dir': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const input = values.input;
  if (!input) throw new UsageError('--input <file> is required');
  if (!statSync(input, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`--input ${input}: no such file`);
  const settings = {
    height: wholeNumber('--height', values.height),
    crf: wholeNumber('--crf', values.crf),
    preset: values.preset,
    audioBitrateKbps: wholeNumber('--audio-bitrate', values['audio-bitrate']),
    chunkSeconds: positiveNumber('--chunk-seconds', values['chunk-seconds']),
    maxConcurrency: wholeNumber('--max-concurrency', values['max-concurrency']),
  };
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  const height = settings.height ?? d.height;
  const output = resolve(
    values.output ?? join('.longhaul/out', `${basename(input, extname(input))}-${height}p.mp4`),
  );

  // Function logs are JSON lines from every worker: useful after a failure, noise during a run.
  const logDir = resolve('.longhaul/logs');
  await mkdir(logDir, { recursive: true });
  const logPath = join(logDir, `video-${Date.now()}.log`);
  const logFile = createWriteStream(logPath);
  const onLog = (line: LogLine) => {
    if (values.verbose) process.stderr.write(`${formatLogLine(line)}\n`);
    logFile.write(`${formatLogLine(line)}\n`);
  };

  const stack = await startLocalStack({ dataDir: values['data-dir'], onLog });
  const printer = progressPrinter();
  const ctrlC = waitForCtrlC();
  const abort = new AbortController();
  void ctrlC.promise.then(() => {
    process.stderr.write('\nstopping the execution...\n');
    abort.abort();
  });
  try {
    const summary = await runVideoJob({
      inputPath: resolve(input),
      outputPath: output,
      settings: defined,
      jobId: values['job-id'],
      stack,
      onEvent: printer.onEvent,
      signal: abort.signal,
    });
    printer.finish();
    console.log(formatSummary(summary));
    console.error(`function logs: ${logPath}`);
    return summary.result.status === 'SUCCEEDED' && summary.verification?.ok !== false ? 0 : 1;
  } finally {
    ctrlC.dispose();
    await stack.stop();
    await new Promise((r) => logFile.end(r));
  }
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run a pipeline locally end to end (video)',
  help,
  async run(argv) {
    const [pipeline, ...rest] = argv;
    if (pipeline !== 'video') {
      throw new UsageError(pipeline ? `unknown pipeline "${pipeline}" (available: video)` : 'name the pipeline: longhaul run video --input <file>');
    }
    return runVideoCli(rest);
  },
};
