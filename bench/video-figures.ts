// The arithmetic of bench/video.ts: what one run of the pipeline cost against one monolithic ffmpeg run,
// and the straight-line fits over two lengths that carry those costs to a 24-hour source.

/** One measured pipeline run beside its monolithic baseline. */
export interface RunFigures {
  /** Source length in seconds. */
  seconds: number;
  sourceBytes: number;
  chunks: number;
  monoMs: number;
  /** How far apart the baseline's two runs were: the machine's noise, for scale. */
  monoSpreadMs: number;
  /** CPU time (user + system) of the monolithic run, and of every task's worker with its ffmpeg. */
  monoCpuMs: number;
  tasksCpuMs: number;
  /** CPU the benchmark's own process used meanwhile: the local services the tasks talk to. */
  servicesCpuMs: number;
  /** CPU time of each stage's worker with its ffmpeg (worker start included, as Lambda bills its init). */
  cpuMs: Record<'probe' | 'split' | 'chunks' | 'merge', number>;
  wallMs: number;
  /** The machine's 1-minute load average when the pipeline finished (2 would be both cores busy). */
  loadAverage: number;
  /** Share of the CPUs' time the hypervisor gave to other machines: during the baseline's runs, and the pipeline's. */
  steal: { mono: number; pipeline: number };
  /** Sum of each function's invocation times (as the state machine saw them). */
  taskMs: { probe: number; split: number; chunks: number; merge: number };
  longestTaskMs: number;
  longestTask: string;
  /** ffmpeg's own time inside the chunk tasks: the video encodes, and the audio segments beside them. */
  chunkFfmpegMs: number;
  audioMs: number;
  longestAudioMs: number;
  /** The control: plain ffmpeg over the same chunks from local files, one after another, and the audio once. */
  plainChunksMs: number;
  /** S3 bytes read and written per stage, from the tasks' EMF records. */
  bytes: Record<'probe' | 'split' | 'chunks' | 'merge', { read: number; written: number }>;
  verified: boolean;
}

export const STAGES = ['probe', 'split', 'chunks', 'merge'] as const;
export type Stage = (typeof STAGES)[number];

export function totalTaskMs(r: RunFigures): number {
  return STAGES.reduce((sum, s) => sum + r.taskMs[s], 0);
}

/** (sum of every task's duration − the monolithic run) / the monolithic run. */
export function workInflation(r: RunFigures): number {
  return (totalTaskMs(r) - r.monoMs) / r.monoMs;
}

/** A straight line through two points: fixed + perSecond × seconds. */
export interface Line {
  fixed: number;
  perSecond: number;
}

export function fit(a: { x: number; y: number }, b: { x: number; y: number }): Line {
  const perSecond = (b.y - a.y) / (b.x - a.x);
  return { fixed: a.y - perSecond * a.x, perSecond };
}

export const at = (line: Line, x: number) => line.fixed + line.perSecond * x;

/** Durations as the state machine saw them, or CPU time (which a shared machine does not stretch). */
export type Measure = 'duration' | 'cpu';

const stageMs = (r: RunFigures, m: Measure): Record<Stage, number> => (m === 'duration' ? r.taskMs : r.cpuMs);
const monoOf = (r: RunFigures, m: Measure) => (m === 'duration' ? r.monoMs : r.monoCpuMs);

/** Per-stage lines over two runs of different lengths (ms against seconds of source). */
export function fitStages(a: RunFigures, b: RunFigures, m: Measure): Record<Stage | 'mono' | 'total', Line> {
  const line = (y: (r: RunFigures) => number) => fit({ x: a.seconds, y: y(a) }, { x: b.seconds, y: y(b) });
  return {
    probe: line((r) => stageMs(r, m).probe),
    split: line((r) => stageMs(r, m).split),
    chunks: line((r) => stageMs(r, m).chunks),
    merge: line((r) => stageMs(r, m).merge),
    mono: line((r) => monoOf(r, m)),
    total: line((r) => STAGES.reduce((sum, s) => sum + stageMs(r, m)[s], 0)),
  };
}

/**
 * One chunk task of `chunkSeconds` for this encode: its ffmpeg time grows with the chunk's length, the
 * rest of the task (start, manifest, reads, uploads, marker, progress) is per task. From the longer run.
 */
export function chunkTaskMs(r: RunFigures, chunkSeconds: number, m: Measure): number {
  if (m === 'cpu') return (r.cpuMs.chunks / r.seconds) * chunkSeconds;
  const overheadPerTask = (r.taskMs.chunks - r.chunkFfmpegMs) / r.chunks;
  const ffmpegPerSecond = r.chunkFfmpegMs / r.seconds;
  return overheadPerTask + ffmpegPerSecond * chunkSeconds;
}
