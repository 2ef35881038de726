// Probe's work: check the input exists and is media we can cut, then plan the chunks (and their audio
// segments) and write the manifest. Separate from the handler so the steps read top to bottom without
// Lambda plumbing. The source is read in place (HTTP ranges through the handler's S3 client), not copied.
import type { Logger } from '../lib/logger';
import { InvalidInput } from '../lib/errors';
import type { InputObject } from '../lib/job-fingerprint';
import { withRelayedObjects } from '../lib/s3-http-relay';
import { planAudioSegments, sampleExactTimeBase } from './audio-plan';
import { assertChunksFit, AUDIO_ENCODE_SECONDS_PER_SECOND, chunkTarget, outputWidthFor, planChunks } from './chunk-plan';
import { inspectSource } from './inspect-source';
import type { VideoJob } from './job-input';
import { MANIFEST_VERSION, writeManifest, type Manifest } from './manifest';
import { audioContainer, videoKeys } from './keys';
import { TRANSCODE_CHUNK_TIMEOUT_SECONDS } from './pipeline';

/** What probe returns to the state machine: keys and small numbers only. */
export interface ProbeResult {
  jobId: string;
  manifestKey: string;
  chunksKey: string;
  chunkCount: number;
  maxConcurrency: number;
  hasAudio: boolean;
  durationSeconds: number;
}

/** `input` is the input object's HEAD, taken before the job's marker was checked. */
export async function planJob(job: VideoJob, input: InputObject, log: Logger): Promise<ProbeResult> {
  const key = job.input.key;
  if (input.size === 0) throw new InvalidInput(`Input ${key} is empty (0 bytes)`, { key });

  const facts = await withRelayedObjects([input], (relay) => inspectSource({ input: relay.url(key), key, redact: relay.redact }));
  const { video, audio } = facts.source;

  // The requested height is the height people see: for rotated (phone) video, the coded width.
  const turned = video.rotation === 90 || video.rotation === 270;
  const outputWidth = outputWidthFor(turned ? video.height : video.width, turned ? video.width : video.height, job.output.height);
  const timeoutSeconds = TRANSCODE_CHUNK_TIMEOUT_SECONDS;
  const target = chunkTarget({
    fps: video.fps,
    sourceWidth: video.width,
    sourceHeight: video.height,
    outputWidth,
    outputHeight: job.output.height,
    preset: job.output.preset,
    withAudio: audio !== null,
    durationSeconds: video.durationSeconds,
    timeoutSeconds,
    maxConcurrency: job.maxConcurrency,
    chunkSeconds: job.chunkSeconds,
  });
  const planned = planChunks(facts.keyframes, video.packetCount, facts.packetSpan, target.targetSeconds);
  assertChunksFit(planned, target, timeoutSeconds);
  const [first, last] = [planned[0]!, planned[planned.length - 1]!];
  if (first.frameCount <= facts.discarded.leading || last.frameCount <= facts.discarded.trailing) {
    throw new InvalidInput('Input has an edit list that hides a whole chunk of frames; re-mux or re-encode it first', { key });
  }

  // Segments need timestamps that name samples exactly, in the source and in split's copy of the track.
  const exactCuts = audio ? audioContainer(audio.codec).exactCuts && sampleExactTimeBase(audio.timeBase, audio.sampleRate) : true;
  const segments = audio
    ? planAudioSegments(planned.map((c) => c.startTime), { samples: audio.samples, sampleRate: audio.sampleRate, startTime: audio.startPts / audio.sampleRate }, exactCuts)
    : planned.map(() => null);
  // What each chunk task encodes: its video, and its audio segment (the whole track for a codec that cannot be cut).
  const estimate = (c: (typeof planned)[number], i: number) => {
    const seg = segments[i];
    const extraAudio = seg && !exactCuts ? (seg.endSample - seg.startSample) / audio!.sampleRate - (c.endTime - c.startTime) : 0;
    return (c.endTime - c.startTime) * target.costPerSourceSecond + Math.max(0, extraAudio) * AUDIO_ENCODE_SECONDS_PER_SECOND;
  };

  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    jobId: job.jobId,
    job,
    inputObject: input,
    source: facts.source,
    output: { width: outputWidth, height: job.output.height },
    plan: {
      targetChunkSeconds: target.targetSeconds,
      targetSource: target.source,
      costPerSourceSecond: target.costPerSourceSecond,
      transcodeTimeoutSeconds: timeoutSeconds,
    },
    chunks: planned.map((c, i) => {
      // Edit-list discards sit in the first GOP (leading) or the last (trailing): cuts are at keyframes.
      const skipLeading = i === 0 ? facts.discarded.leading : 0;
      const skipTrailing = i === planned.length - 1 ? facts.discarded.trailing : 0;
      return {
        ...c,
        skipLeading,
        skipTrailing,
        outputFrames: c.frameCount - skipLeading - skipTrailing,
        estimatedSeconds: estimate(c, i),
        audio: segments[i] ?? null,
      };
    }),
  };
  await writeManifest(manifest);
  log.info('planned', {
    frames: video.frameCount,
    durationSeconds: video.durationSeconds,
    keyframes: facts.keyframes.length,
    chunks: planned.length,
    targetChunkSeconds: target.targetSeconds,
    longestEstimateSeconds: Math.max(...manifest.chunks.map((c) => c.estimatedSeconds)),
  });
  return probeResult(manifest);
}

export function probeResult(m: Manifest): ProbeResult {
  return {
    jobId: m.jobId,
    manifestKey: videoKeys.manifest(m.jobId),
    chunksKey: videoKeys.chunkItems(m.jobId),
    chunkCount: m.chunks.length,
    maxConcurrency: m.job.maxConcurrency,
    hasAudio: m.source.audio !== null,
    durationSeconds: m.source.video.durationSeconds,
  };
}
