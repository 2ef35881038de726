// The video pipeline against one monolithic ffmpeg run of the same input with the same settings.
//   node --import tsx bench/video.ts [--cheap 60,240] [--realistic 40,160] [--chunk-seconds 20] [--only cheap|realistic]
// Two encodes: the cheap one (720p → 360p, veryfast) and a realistic one (1080p → 720p, medium), each at
// two lengths, so every cost splits into a fixed part and a part per second of video. Chunks run one at a
// time (MaxConcurrency 1): each task has the machine to itself, as each Lambda has its own vCPUs, and the
// sum of the tasks' durations is comparable with the monolithic run. The local S3 and DynamoDB servers run
// in their own process at nice 10 (services-process.ts): in AWS they are not on the tasks' CPUs. Printed for each run, with the
// issue's targets (figures only, nothing asserted):
//   - work inflation = (sum of every task's duration − monolithic) / monolithic (≤ 5% realistic, ≤ 15% cheap),
//     split into probe, split, merge and the chunk tasks (video encodes, audio segments, per-task overhead);
//   - the longest task against the monolithic run (≤ 1.5 / chunks);
//   - S3 bytes read and written per stage (the tasks' EMF records), and how often the source was read;
// then, from the two lengths, a 24-hour source: each task's projected duration against 50% of its timeout.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectFunctions } from '../handlers/catalog';
import { run } from '../handlers/lib/ffmpeg';
import { downloadToFile, getJson } from '../handlers/lib/s3';
import { chunkTarget, outputWidthFor, type Preset } from '../handlers/video/chunk-plan';
import { encodeArgs, type ChunkResult } from '../handlers/video/encode-chunk';
import { readManifest, type Manifest } from '../handlers/video/manifest';
import { videoKeys } from '../handlers/video/keys';
import { TRANSCODE_CHUNK_TIMEOUT_SECONDS, videoFunctions, videoOutputSchema, videoPipeline } from '../handlers/video/pipeline';
import { generateClip } from '../local/media/synthetic-clip';
import { readMetrics } from '../local/operate/metrics-source';
import { applyEnv } from '../local/process-env';
import { runJob } from '../local/run/job-runner';
import { startLocalStack } from '../local/stack';
import { exitedChildrenCpuMs, machineCpu, ownCpuMs, stealShare, workerCpuByFunction } from './process-cpu';
import { startServicesProcess } from './services-process';
import { at, chunkTaskMs, fitStages, STAGES, totalTaskMs, workInflation, type Measure, type RunFigures, type Stage } from './video-figures';

const { values } = parseArgs({
  options: {
    cheap: { type: 'string', default: '60,240' },
    realistic: { type: 'string', default: '40,160' },
    'chunk-seconds': { type: 'string', default: '20' },
    only: { type: 'string' },
  },
});

interface Encode {
  name: 'cheap' | 'realistic';
  source: { width: number; height: number };
  output: { height: number; preset: Preset; crf: number; audioBitrateKbps: number };
  /** Target for the work inflation. */
  maxInflation: number;
}

const ENCODES: Encode[] = [
  { name: 'cheap', source: { width: 1280, height: 720 }, output: { height: 360, preset: 'veryfast', crf: 23, audioBitrateKbps: 128 }, maxInflation: 0.15 },
  { name: 'realistic', source: { width: 1920, height: 1080 }, output: { height: 720, preset: 'medium', crf: 23, audioBitrateKbps: 128 }, maxInflation: 0.05 },
];
const FPS = 30;
const DAY = 24 * 3600;
const chunkSeconds = Number(values['chunk-seconds']);
const STAGE_FUNCTION: Record<Stage, string> = { probe: 'VideoProbe', split: 'VideoSplit', chunks: 'VideoTranscodeChunk', merge: 'VideoMerge' };

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');


/** What one big Lambda would run, and time out on for a long video: the baseline (wall ms, CPU ms). */
async function monolithic(input: string, e: Encode, out: string): Promise<{ ms: number; cpuMs: number }> {
  const o = e.output;
  const cpuBefore = exitedChildrenCpuMs();
  const started = Date.now();
  await run('ffmpeg', [
    '-v', 'error', '-y', '-i', input,
    '-map', '0:v:0', '-map', '0:a:0?',
    '-vf', `scale=-2:${o.height}`, '-c:v', 'libx264', '-preset', o.preset, '-crf', String(o.crf), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', `${o.audioBitrateKbps}k`, '-movflags', '+faststart', out,
  ]);
  return { ms: Date.now() - started, cpuMs: exitedChildrenCpuMs() - cpuBefore };
}

async function measure(input: string, e: Encode, seconds: number, dir: string): Promise<RunFigures> {
  // The baseline before and after the pipeline, averaged: the machine is shared, and load that comes and
  // goes shows as a spread between the two (printed).
  const m0 = machineCpu();
  const before = await monolithic(input, e, join(dir, 'monolithic.mp4'));
  const m1 = machineCpu();
  const { control, ...figures } = await measurePipeline(input, e, seconds, dir);
  const m2 = machineCpu();
  const plainChunksMs = await plainChunkEncodes(control, input, e, dir);
  const after = await monolithic(input, e, join(dir, 'monolithic.mp4'));
  const m3 = machineCpu();
  const monoSteal = (stealShare(m0, m1) + stealShare(m2, m3)) / 2;
  return {
    ...figures,
    monoMs: (before.ms + after.ms) / 2,
    monoSpreadMs: Math.abs(after.ms - before.ms),
    monoCpuMs: (before.cpuMs + after.cpuMs) / 2,
    steal: { mono: monoSteal, pipeline: stealShare(m1, m2) },
    plainChunksMs,
  };
}

/** The job's plan and its video-only chunks as split cut them, copied out of S3 for the control below. */
interface ControlInputs {
  manifest: Manifest;
  chunkPaths: string[];
}

async function fetchControlInputs(jobId: string, dir: string): Promise<ControlInputs> {
  const manifest = await readManifest(jobId);
  const chunkPaths: string[] = [];
  for (const c of manifest.chunks) {
    const path = join(dir, `control-chunk-${c.index}.mkv`);
    await downloadToFile(videoKeys.sourceChunk(jobId, c.index), path);
    chunkPaths.push(path);
  }
  return { manifest, chunkPaths };
}

/**
 * The control for the chunk tasks: plain ffmpeg over the same chunks from local files, one after another,
 * with the chunk task's own arguments, then the audio track encoded once. Against the monolithic run it
 * shows what cutting the encode into chunks costs by itself; the chunk tasks' excess over it is the
 * pipeline's (worker, reads over HTTP, the audio in segments beside the video).
 */
async function plainChunkEncodes(control: ControlInputs, input: string, e: Encode, dir: string): Promise<number> {
  const started = Date.now();
  for (const [i, c] of control.manifest.chunks.entries()) {
    await run('ffmpeg', encodeArgs(control.manifest, c, control.chunkPaths[i]!, join(dir, 'control-out.mp4')));
  }
  await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-map', '0:a:0', '-c:a', 'aac', '-b:a', `${e.output.audioBitrateKbps}k`, '-f', 'adts', join(dir, 'control-audio.aac')]);
  const ms = Date.now() - started;
  await Promise.all(control.chunkPaths.map((p) => rm(p, { force: true })));
  return ms;
}

async function measurePipeline(input: string, e: Encode, seconds: number, dir: string): Promise<Omit<RunFigures, 'monoMs' | 'monoSpreadMs' | 'monoCpuMs' | 'steal' | 'plainChunksMs'> & { control: ControlInputs }> {
  const dataDir = await mkdtemp(join(dir, 'data-'));
  const cpuBefore = exitedChildrenCpuMs();
  const ownBefore = ownCpuMs();
  const services = await startServicesProcess(dataDir);
  const stack = await startLocalStack({ services, functions: collectFunctions([videoPipeline]), onLog: () => {} });
  let stopped = false;
  try {
    const summary = await runJob({ pipeline: videoPipeline, files: { input }, settings: { output: e.output, chunkSeconds, maxConcurrency: 1 }, stack });
    if (summary.result.status !== 'SUCCEEDED') throw new Error(`pipeline failed: ${summary.result.error}: ${summary.result.cause}`);
    const output = videoOutputSchema.parse(summary.result.output);
    const restore = applyEnv(stack.services.env);
    let results: ChunkResult[];
    let control: ControlInputs;
    try {
      results = await Promise.all(Array.from({ length: output.chunks }, (_x, i) => getJson<{ result: ChunkResult }>(videoKeys.encodedChunkMarker(summary.jobId, i)).then((m) => m.result)));
      control = await fetchControlInputs(summary.jobId, dir);
    } finally {
      restore();
    }
    const records = await readMetrics({ dataDir, jobId: summary.jobId });
    const bytes = Object.fromEntries(STAGES.map((s) => [s, { read: 0, written: 0 }])) as RunFigures['bytes'];
    for (const r of records) {
      const stage = STAGES.find((s) => STAGE_FUNCTION[s] === r.function);
      if (!stage) continue;
      bytes[stage].read += r.metrics.S3BytesRead ?? 0;
      bytes[stage].written += r.metrics.S3BytesWritten ?? 0;
    }
    const f = summary.byFunction;
    const longest = Object.entries(f).sort(([, x], [, y]) => y.longestMs - x.longestMs)[0]!;
    // Each worker's CPU (its own and its ffmpeg's) by function while they are alive, and all of it once they have exited.
    const workerCpu = workerCpuByFunction();
    const serversCpuMs = services.cpuMs();
    const servicesCpuMs = serversCpuMs + ownCpuMs() - ownBefore;
    await stack.stop();
    stopped = true;
    // The servers' process is a child too: what they used is not the tasks'.
    const tasksCpuMs = exitedChildrenCpuMs() - cpuBefore - serversCpuMs;
    return {
      control,
      tasksCpuMs,
      servicesCpuMs,
      cpuMs: { probe: workerCpu.VideoProbe ?? 0, split: workerCpu.VideoSplit ?? 0, chunks: workerCpu.VideoTranscodeChunk ?? 0, merge: workerCpu.VideoMerge ?? 0 },
      seconds,
      sourceBytes: (await stat(input)).size,
      chunks: output.chunks,
      wallMs: summary.wallMs,
      loadAverage: loadavg()[0]!,
      taskMs: { probe: f.VideoProbe?.totalMs ?? 0, split: f.VideoSplit?.totalMs ?? 0, chunks: f.VideoTranscodeChunk?.totalMs ?? 0, merge: f.VideoMerge?.totalMs ?? 0 },
      longestTaskMs: longest[1].longestMs,
      longestTask: longest[0],
      chunkFfmpegMs: results.reduce((sum, r) => sum + 1000 * Math.max(r.encodeSeconds, r.audioSeconds), 0),
      audioMs: results.reduce((sum, r) => sum + 1000 * r.audioSeconds, 0),
      longestAudioMs: Math.max(...results.map((r) => 1000 * r.audioSeconds)),
      bytes,
      verified: output.verification.ok,
    };
  } finally {
    if (!stopped) await stack.stop();
  }
}

function printRun(e: Encode, r: RunFigures): void {
  const inflation = workInflation(r);
  const share = (ms: number) => `${sec(ms).padStart(9)} = ${pct(ms / r.monoMs).padStart(6)} of monolithic`;
  console.log(`\n${e.name}, ${r.seconds} s ${e.source.width}x${e.source.height} ${FPS} fps → ${e.output.height}p ${e.output.preset}: ${r.chunks} chunks of ${chunkSeconds} s, verification ${r.verified ? 'passed' : 'FAILED'}`);
  console.log(`  monolithic ffmpeg (baseline)  ${sec(r.monoMs)} (mean of a run before and after the pipeline, ${sec(r.monoSpreadMs)} apart); pipeline wall time ${sec(r.wallMs)}; load average ${r.loadAverage.toFixed(1)}`);
  console.log(`  CPU time stolen by the host   ${pct(r.steal.mono)} during the baseline, ${pct(r.steal.pipeline)} during the pipeline (other machines on the same cores)`);
  console.log(`  sum of every task             ${sec(totalTaskMs(r))}: work inflation ${pct(inflation)} (target ≤ ${pct(e.maxInflation)}: ${verdict(inflation <= e.maxInflation)})`);
  const cpuInflation = (r.tasksCpuMs - r.monoCpuMs) / r.monoCpuMs;
  const cpuShare = (s: Stage) => pct(r.cpuMs[s] / r.monoCpuMs);
  console.log(`  the same in CPU time          tasks ${sec(r.tasksCpuMs)} (workers and their ffmpeg) against ${sec(r.monoCpuMs)}: ${pct(cpuInflation)}`);
  console.log(`    (steady when the machine is shared, durations are not): probe ${cpuShare('probe')}, split ${cpuShare('split')}, merge ${cpuShare('merge')}, chunk tasks ${pct((r.cpuMs.chunks - r.monoCpuMs) / r.monoCpuMs)} over monolithic`);
  console.log(`    meanwhile the local S3, DynamoDB, engine and runner took ${sec(r.servicesCpuMs)} of CPU on the same cores (S3 and DynamoDB at nice 10; in AWS, none of the tasks')`);
  console.log(`    probe                       ${share(r.taskMs.probe)}`);
  console.log(`    split                       ${share(r.taskMs.split)}`);
  console.log(`    merge                       ${share(r.taskMs.merge)}`);
  const chunkOverhead = r.taskMs.chunks - r.chunkFfmpegMs;
  console.log(`    chunk tasks                 ${sec(r.taskMs.chunks).padStart(9)}: encode inflation ${pct((r.taskMs.chunks - r.monoMs) / r.monoMs)} against monolithic`);
  console.log(`      ffmpeg in them            ${sec(r.chunkFfmpegMs).padStart(9)} (video and audio side by side); the rest ${sec(chunkOverhead)} = ${sec(chunkOverhead / r.chunks)} a task`);
  console.log(`      control: plain ffmpeg     ${sec(r.plainChunksMs).padStart(9)} = ${pct((r.plainChunksMs - r.monoMs) / r.monoMs)} against monolithic: the same chunks from local files one after another, and the audio once`);
  console.log(`      audio segments            ${sec(r.audioMs).padStart(9)} in all, beside the video; longest ${sec(r.longestAudioMs)}`);
  const limit = 1.5 / r.chunks;
  console.log(`  longest task                  ${sec(r.longestTaskMs)} = ${(r.longestTaskMs / r.monoMs).toFixed(3)} of monolithic (target ≤ 1.5/${r.chunks} = ${limit.toFixed(3)}: ${verdict(r.longestTaskMs / r.monoMs <= limit)}): ${r.longestTask}`);
  console.log(`  S3 bytes (source ${mb(r.sourceBytes)}):`);
  for (const s of STAGES) console.log(`    ${s.padEnd(8)} read ${mb(r.bytes[s].read).padStart(9)}  written ${mb(r.bytes[s].written).padStart(9)}`);
  const sourceReads = (r.bytes.probe.read + r.bytes.split.read) / r.sourceBytes;
  console.log(`    the source read ${sourceReads.toFixed(2)}x (probe and split; target ≤ 2x: ${verdict(sourceReads <= 2.05)})`);
}

function printProjection(e: Encode, a: RunFigures, b: RunFigures, measure: Measure): void {
  const lines = fitStages(a, b, measure);
  const unit = measure === 'duration' ? 'task durations' : 'CPU time (a one-core estimate of each task; steady when the machine is shared)';
  console.log(`\n${e.name}: ${unit}, fitted over ${a.seconds} s and ${b.seconds} s (fixed + per second of video)`);
  for (const s of [...STAGES, 'total', 'mono'] as const) {
    console.log(`  ${s.padEnd(8)} ${sec(lines[s].fixed).padStart(9)} + ${lines[s].perSecond.toFixed(1).padStart(6)} ms/s`);
  }
  // In the runs' chunk length: a task's fixed part (worker, reads, x264's start and end) comes once per chunk.
  const overhead = { fixed: lines.total.fixed - lines.mono.fixed, perSecond: lines.total.perSecond - lines.mono.perSecond };
  for (const [label, x] of [['1 hour', 3600], ['24 hours', DAY]] as const) {
    console.log(`  work inflation for ${label} in ${(b.seconds / b.chunks).toFixed(0)} s chunks: ${pct(at(overhead, x) / at(lines.mono, x))}`);
  }
  // A 24-hour source, chunked as the pipeline would plan it (automatic length, default concurrency).
  const outW = outputWidthFor(e.source.width, e.source.height, e.output.height);
  const target = chunkTarget({
    fps: FPS, sourceWidth: e.source.width, sourceHeight: e.source.height, outputWidth: outW, outputHeight: e.output.height,
    preset: e.output.preset, withAudio: true, durationSeconds: DAY, timeoutSeconds: TRANSCODE_CHUNK_TIMEOUT_SECONDS, maxConcurrency: 10, chunkSeconds: null,
  });
  const timeout = (name: string) => videoFunctions.find((f) => f.name === name)!.timeoutSeconds * 1000;
  const projected: [string, number, number][] = [
    ['VideoProbe', at(lines.probe, DAY), timeout('VideoProbe')],
    ['VideoSplit', at(lines.split, DAY), timeout('VideoSplit')],
    [`VideoTranscodeChunk (${target.targetSeconds.toFixed(0)} s chunks)`, chunkTaskMs(b, target.targetSeconds, measure), timeout('VideoTranscodeChunk')],
    ['VideoMerge', at(lines.merge, DAY), timeout('VideoMerge')],
  ];
  console.log(`  a 24-hour source (${Math.ceil(DAY / target.targetSeconds)} chunks as planned), each task against 50% of its timeout:`);
  for (const [name, ms, limitMs] of projected) {
    console.log(`    ${name.padEnd(40)} ${sec(ms).padStart(10)} = ${pct(ms / limitMs).padStart(6)} of ${limitMs / 1000} s: ${verdict(ms <= limitMs / 2)}`);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'longhaul-bench-video-'));
try {
  console.log(`video pipeline vs one monolithic ffmpeg; load average at start ${loadavg()[0]!.toFixed(1)} on this machine`);
  for (const e of ENCODES) {
    if (values.only && values.only !== e.name) continue;
    const lengths = values[e.name].split(',').map(Number);
    const runs: RunFigures[] = [];
    for (const seconds of lengths) {
      const input = join(dir, `${e.name}-${seconds}s.mp4`);
      process.stderr.write(`generating a ${seconds} s ${e.source.width}x${e.source.height} ${FPS} fps clip with audio...\n`);
      await generateClip(input, { ...e.source, fps: String(FPS), gop: 2 * FPS, durationSeconds: seconds, preset: 'veryfast' });
      process.stderr.write(`running ${e.name} at ${seconds} s...\n`);
      const r = await measure(input, e, seconds, dir);
      runs.push(r);
      printRun(e, r);
      await rm(input, { force: true });
    }
    const [a, b] = runs;
    if (a && b && b.seconds > a.seconds) {
      printProjection(e, a, b, 'duration');
      printProjection(e, a, b, 'cpu');
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
