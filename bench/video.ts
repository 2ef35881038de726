// Video pipeline against one monolithic ffmpeg transcode of the same input with the same settings.
//   node --import tsx bench/video.ts [--input file.mp4] [--chunk-seconds 10] [--seconds 60]
// Prints: monolithic time, pipeline wall time, probe+split+merge overhead as a share of the monolithic time
// (target <= 5%), and the longest single task as a fraction of the monolithic time (target <= 1.5 / chunks).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run } from '../handlers/lib/ffmpeg';
import { generateClip } from '../local/media/synthetic-clip';
import { DEFAULT_VIDEO_SETTINGS, runVideoJob } from '../local/run/video-job';

const { values } = parseArgs({
  options: {
    input: { type: 'string' },
    'chunk-seconds': { type: 'string', default: '10' },
    seconds: { type: 'string', default: '60' },
    // One chunk at a time: each task gets the whole machine, as each Lambda gets its own vCPUs, so the
    // longest task is comparable with the monolithic run. Raise it to see local wall time instead.
    'max-concurrency': { type: 'string', default: '1' },
  },
});

const dir = await mkdtemp(join(tmpdir(), 'longhaul-bench-video-'));
try {
  const input = values.input ?? join(dir, 'source.mp4');
  if (!values.input) {
    const seconds = Number(values.seconds);
    process.stderr.write(`generating a ${seconds} s 1280x720 30 fps clip with audio...\n`);
    await generateClip(input, { width: 1280, height: 720, fps: '30', gop: 60, durationSeconds: seconds, preset: 'veryfast' });
  }
  const s = {
    ...DEFAULT_VIDEO_SETTINGS,
    chunkSeconds: Number(values['chunk-seconds']),
    maxConcurrency: Number(values['max-concurrency']),
  };

  // The baseline: what one big Lambda would run, and time out on for a long video.
  const monoStarted = Date.now();
  await run('ffmpeg', [
    '-v', 'error', '-y', '-i', input,
    '-map', '0:v:0', '-map', '0:a:0?',
    '-vf', `scale=-2:${s.height}`, '-c:v', 'libx264', '-preset', s.preset, '-crf', String(s.crf), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', `${s.audioBitrateKbps}k`, '-movflags', '+faststart', join(dir, 'monolithic.mp4'),
  ]);
  const monoMs = Date.now() - monoStarted;

  const summary = await runVideoJob({ inputPath: input, settings: s, onEvent: () => {} });
  if (summary.result.status !== 'SUCCEEDED') {
    throw new Error(`pipeline failed: ${summary.result.error}: ${summary.result.cause}`);
  }
  const f = summary.byFunction;
  const overheadMs = ['VideoProbe', 'VideoSplit', 'VideoMerge'].reduce((sum, name) => sum + (f[name]?.totalMs ?? 0), 0);
  const longestTaskMs = Math.max(...Object.values(f).map((x) => x.longestMs));
  const chunks = summary.chunks ?? 0;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`input                         ${input}`);
  console.log(`chunks                        ${chunks} (chunk length ${s.chunkSeconds} s, ${s.maxConcurrency} at a time)`);
  console.log(`monolithic ffmpeg             ${(monoMs / 1000).toFixed(2)} s  (baseline)`);
  console.log(`pipeline wall time            ${(summary.wallMs / 1000).toFixed(2)} s  (${(summary.wallMs / monoMs).toFixed(2)}x the baseline)`);
  console.log(`probe+split+merge overhead    ${(overheadMs / 1000).toFixed(2)} s = ${pct(overheadMs / monoMs)} of the baseline (target <= 5%)`);
  console.log(`longest single task           ${(longestTaskMs / 1000).toFixed(2)} s = ${(longestTaskMs / monoMs).toFixed(3)} of the baseline (target <= 1.5/${chunks} = ${(1.5 / chunks).toFixed(3)})`);
  for (const [name, x] of Object.entries(f)) {
    console.log(`  ${name.padEnd(22)} ${String(x.invocations).padStart(3)} runs  total ${(x.totalMs / 1000).toFixed(2)} s  longest ${(x.longestMs / 1000).toFixed(2)} s`);
  }
  console.log(`verification                  ${summary.verification?.ok ? 'passed' : `FAILED ${summary.verification?.problems.join('; ')}`}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
