// Video pipeline against one monolithic ffmpeg transcode of the same input with the same settings.
//   node --import tsx bench/video.ts [--seconds 60,240] [--chunk-seconds 20] [--max-concurrency 1] [--input file.mp4]
// For each input: monolithic time, pipeline wall time, probe+split+merge overhead as a share of the
// monolithic time (target <= 5%), and the longest single task as a fraction of the monolithic time
// (target <= 1.5 / chunks). Two lengths separate the fixed costs from those that grow with the video,
// so the figures can be carried to an hour-long input without generating one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run } from '../handlers/lib/ffmpeg';
import { generateClip } from '../local/media/synthetic-clip';
import { videoJobSchema } from '../handlers/video/job-input';
import { videoOutputSchema, videoPipeline } from '../handlers/video/pipeline';
import { runJob } from '../local/run/job-runner';

const { values } = parseArgs({
  options: {
    input: { type: 'string' },
    seconds: { type: 'string', default: '60,240' },
    'chunk-seconds': { type: 'string', default: '20' },
    // One chunk at a time: each task gets the whole machine, as each Lambda gets its own vCPUs, so the
    // longest task is comparable with the monolithic run. Raise it to see local wall time instead.
    'max-concurrency': { type: 'string', default: '1' },
  },
});

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Figures {
  label: string;
  seconds: number;
  chunks: number;
  monoMs: number;
  wallMs: number;
  overheadMs: number;
  longestTaskMs: number;
  longestTask: string;
  byFunction: string;
  verified: boolean;
}

// The pipeline's own defaults (the job schema's), with this benchmark's chunking.
const { output: quality } = videoJobSchema.parse({ jobId: 'bench', input: { key: 'jobs/bench/input/source.mp4' } });
const s = { ...quality, chunkSeconds: Number(values['chunk-seconds']), maxConcurrency: Number(values['max-concurrency']) };

async function measure(input: string, label: string, seconds: number, dir: string): Promise<Figures> {
  // The baseline: what one big Lambda would run, and time out on for a long video.
  const monoStarted = Date.now();
  await run('ffmpeg', [
    '-v', 'error', '-y', '-i', input,
    '-map', '0:v:0', '-map', '0:a:0?',
    '-vf', `scale=-2:${s.height}`, '-c:v', 'libx264', '-preset', s.preset, '-crf', String(s.crf), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', `${s.audioBitrateKbps}k`, '-movflags', '+faststart', join(dir, 'monolithic.mp4'),
  ]);
  const monoMs = Date.now() - monoStarted;

  const summary = await runJob({
    pipeline: videoPipeline,
    files: { input },
    settings: { chunkSeconds: s.chunkSeconds, maxConcurrency: s.maxConcurrency },
    onLog: () => {},
  });
  if (summary.result.status !== 'SUCCEEDED') throw new Error(`pipeline failed: ${summary.result.error}: ${summary.result.cause}`);
  const output = videoOutputSchema.parse(summary.result.output);
  const f = summary.byFunction;
  return {
    label,
    seconds,
    chunks: output.chunks,
    monoMs,
    wallMs: summary.wallMs,
    overheadMs: ['VideoProbe', 'VideoSplit', 'VideoMerge'].reduce((sum, name) => sum + (f[name]?.totalMs ?? 0), 0),
    longestTaskMs: Math.max(...Object.values(f).map((x) => x.longestMs)),
    longestTask: Object.entries(f).sort(([, x], [, y]) => y.longestMs - x.longestMs)[0]?.[0] ?? '',
    byFunction: Object.entries(f)
      .map(([name, x]) => `${name} ${sec(x.totalMs)}${x.invocations > 1 ? ` (${x.invocations} runs, longest ${sec(x.longestMs)})` : ''}`)
      .join(', '),
    verified: output.verification.ok,
  };
}

const dir = await mkdtemp(join(tmpdir(), 'longhaul-bench-video-'));
const rows: Figures[] = [];
try {
  if (values.input) {
    rows.push(await measure(values.input, values.input, NaN, dir));
  } else {
    for (const seconds of values.seconds.split(',').map(Number)) {
      const input = join(dir, `source-${seconds}s.mp4`);
      process.stderr.write(`generating a ${seconds} s 1280x720 30 fps clip with audio...\n`);
      await generateClip(input, { width: 1280, height: 720, fps: '30', gop: 60, durationSeconds: seconds, preset: 'veryfast' });
      rows.push(await measure(input, `${seconds} s 1280x720 30 fps`, seconds, dir));
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`video pipeline vs one monolithic ffmpeg (360p, ${s.preset}, crf ${s.crf}; chunks of ${s.chunkSeconds} s, ${s.maxConcurrency} at a time)`);
for (const r of rows) {
  console.log(`\n${r.label}: ${r.chunks} chunks, verification ${r.verified ? 'passed' : 'FAILED'}`);
  console.log(`  monolithic ffmpeg (baseline)   ${sec(r.monoMs)}`);
  console.log(`  pipeline wall time             ${sec(r.wallMs)}  (${(r.wallMs / r.monoMs).toFixed(2)}x the baseline)`);
  console.log(`  probe+split+merge overhead     ${sec(r.overheadMs)} = ${pct(r.overheadMs / r.monoMs)} of the baseline (target <= 5%)`);
  console.log(`  longest single task            ${sec(r.longestTaskMs)} = ${(r.longestTaskMs / r.monoMs).toFixed(3)} of the baseline (target <= 1.5/${r.chunks} = ${(1.5 / r.chunks).toFixed(3)}): ${r.longestTask}`);
  console.log(`  tasks                          ${r.byFunction}`);
}
const [a, b] = rows;
if (a && b && b.seconds > a.seconds) {
  // Linear fit of overhead and monolithic time in the video's length: fixed part + per-second part.
  const perSecond = (b.overheadMs - a.overheadMs) / (b.seconds - a.seconds);
  const fixed = a.overheadMs - perSecond * a.seconds;
  const monoPerSecond = (b.monoMs - a.monoMs) / (b.seconds - a.seconds);
  const hour = 3600;
  console.log(`\noverhead = ${sec(fixed)} fixed + ${(perSecond).toFixed(1)} ms per second of video; monolithic ${monoPerSecond.toFixed(1)} ms per second`);
  console.log(`  carried to a 1-hour input: overhead ${pct((fixed + perSecond * hour) / (monoPerSecond * hour))} of the monolithic time`);
}
