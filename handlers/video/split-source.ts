// Split's work: one ffmpeg pass that stream-copies the video into chunks cut exactly at the planned
// keyframes, and the audio track into its own file. Video-only chunks because per-chunk audio
// re-encoding drifts (each AAC encode adds priming and padding at every boundary); Matroska for
// video because it carries any codec and keeps absolute timestamps (MPEG-TS crashes our ffprobe).
// The source is read in place (HTTP ranges), and each chunk is checked and uploaded as soon as ffmpeg
// has cut it, while the next is being cut: /tmp holds a few chunks, never the source.
import { join } from 'node:path';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import type { Logger } from '../lib/logger';
import { z } from 'zod';
import { countPackets, audioTimelineOrigin, run } from '../lib/ffmpeg';
import { InternalError } from '../lib/errors';
import { putJson, uploadFile } from '../lib/s3';
import { withRelayedObjects } from '../lib/s3-http-relay';
import { assertFits, availableBytes, withWorkDir } from '../lib/workdir';
import { sideBySide } from '../lib/side-by-side';
import type { Manifest } from './manifest';
import { audioContainer, videoKeys } from './keys';

export interface SplitResult {
  chunkKeys: string[];
  audioKey: string | null;
  /** Where the copied track's decoded timeline starts (see AudioTimeline); null without audio. */
  audioTimelineKey: string | null;
}

/** Where the copied audio track's decoded timeline starts, in samples: what segment cuts count from. */
export const audioTimelineSchema = z.object({ startPts: z.number().int() });
export type AudioTimeline = z.infer<typeof audioTimelineSchema>;

/** Cut chunks waiting for their upload, at most: past this, split stops reading the source until uploads catch up. */
export const HELD_CHUNK_BYTES = 1024 ** 3;
/** Chunks checked and uploaded at once (an ffprobe each, then a multipart upload). */
const UPLOAD_CONCURRENCY = 4;
/** How often the segment list ffmpeg appends to is read. */
const LIST_POLL_MS = 100;

const chunkFile = (index: number) => `${String(index).padStart(5, '0')}.mkv`;

/** One input, two outputs: the segmented video (listed in `listPath` as each chunk is closed) and the copied audio. */
export function splitArgs(m: Manifest, input: string, chunkDir: string, listPath: string, audioPath: string | null): string[] {
  const args = ['-v', 'error', '-y', '-i', input, '-map', `0:${m.source.video.streamIndex}`, '-c', 'copy', '-an', '-sn', '-dn'];
  if (m.chunks.length === 1) {
    args.push('-f', 'matroska', join(chunkDir, chunkFile(0)));
  } else {
    // Frame numbers, not times: a time printed with rounding can land just past a keyframe and
    // move the cut to the next one. The segment muxer counts packets exactly as probe did.
    const frames = m.chunks.slice(1).map((c) => c.startFrame).join(',');
    args.push(
      '-f', 'segment', '-segment_format', 'matroska', '-segment_frames', frames,
      // Keep source timestamps: transcode-chunk passes them through and concat lines them up.
      '-reset_timestamps', '0',
      // A line per chunk, written when the chunk is closed: the signal to upload it.
      '-segment_list', listPath, '-segment_list_type', 'csv',
      join(chunkDir, '%05d.mkv'),
    );
  }
  if (audioPath && m.source.audio) {
    const container = audioContainer(m.source.audio.codec);
    args.push('-map', `0:${m.source.audio.streamIndex}`, '-c', 'copy', '-vn', '-sn', '-dn');
    if (container.experimental) args.push('-strict', 'experimental');
    // Index first: each audio segment reads it, then seeks once, instead of looking at the start, jumping to the end and back.
    if (container.format !== 'matroska') args.push('-movflags', '+faststart');
    args.push('-f', container.format, audioPath);
  }
  return args;
}

/**
 * Checks and uploads chunks as they are handed over, a few at a time, and keeps count of the bytes they
 * hold in /tmp until uploaded. A chunk cut anywhere but the planned frame would shift every later one:
 * its packets are counted against the plan before it goes up.
 */
class ChunkUploader {
  private readonly queue: number[] = [];
  private readonly seen = new Set<number>();
  private running = 0;
  private held = 0;
  private failed: { error: unknown } | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly m: Manifest,
    private readonly chunkDir: string,
    private readonly heldLimit: number,
    private readonly onFailure: () => void,
  ) {}

  /** `index` is cut and closed: check it, upload it, remove it. */
  async add(index: number): Promise<void> {
    if (this.seen.has(index)) return;
    if (!this.m.chunks[index]) throw new InternalError(`ffmpeg listed chunk ${index}; the plan has ${this.m.chunks.length}`);
    this.seen.add(index);
    this.held += (await stat(join(this.chunkDir, chunkFile(index)))).size;
    this.queue.push(index);
    this.pump();
  }

  /** Resolves once uploads have brought the held bytes under the limit (at once when they are). */
  async room(): Promise<void> {
    while (this.held > this.heldLimit && !this.failed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failed) throw this.failed.error;
  }

  /** Resolves when every chunk handed over is uploaded; rejects with the first failure. */
  async drain(): Promise<void> {
    while ((this.running > 0 || this.queue.length > 0) && !this.failed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failed) throw this.failed.error;
  }

  get count(): number {
    return this.seen.size;
  }

  private pump(): void {
    while (this.running < UPLOAD_CONCURRENCY && this.queue.length > 0 && !this.failed) {
      const index = this.queue.shift()!;
      this.running++;
      this.upload(index).then(
        () => {
          this.running--;
          this.pump();
          this.wake();
        },
        (error: unknown) => {
          this.running--;
          this.failed ??= { error };
          this.onFailure();
          this.wake();
        },
      );
    }
  }

  private async upload(index: number): Promise<void> {
    const c = this.m.chunks[index]!;
    const path = join(this.chunkDir, chunkFile(index));
    const { video } = await countPackets(path);
    if (video !== c.frameCount) {
      throw new InternalError(`Split produced ${video} frames in chunk ${c.index}, the plan says ${c.frameCount}: refusing to publish a misaligned split`);
    }
    const { size } = await stat(path);
    await uploadFile(path, videoKeys.sourceChunk(this.m.jobId, index), { contentType: 'video/x-matroska' });
    await rm(path);
    this.held -= size;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** The chunk indexes ffmpeg has closed so far, from its segment list (`00003.mkv,6.000000,8.000000` lines). */
async function listedChunks(listPath: string): Promise<number[]> {
  const text = await readFile(listPath, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => /^(\d+)\.mkv,/.exec(line)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}

/** `heldChunkBytes`: how much of cut chunks may wait for upload before the source is held back. */
export async function splitSource(m: Manifest, log: Logger, heldChunkBytes = HELD_CHUNK_BYTES): Promise<SplitResult> {
  const { key, size, etag } = m.inputObject;
  return withWorkDir(async (dir) => {
    // At worst: the chunks held for upload, the one being cut, and the audio track (a few % of the source).
    const longest = Math.max(...m.chunks.map((c) => c.endTime - c.startTime)) / Math.max(1e-9, m.source.video.durationSeconds);
    const need = Math.ceil(Math.min(size * 1.05, heldChunkBytes + 2 * longest * size + 0.05 * size));
    assertFits(need, await availableBytes(dir), 'Splitting the input', key);
    const chunkDir = join(dir, 'chunks');
    await mkdir(chunkDir);
    const listPath = join(dir, 'chunks.csv');
    const audioPath = m.source.audio ? join(dir, `audio.${audioContainer(m.source.audio.codec).ext}`) : null;

    const stop = new AbortController();
    const uploader = new ChunkUploader(m, chunkDir, heldChunkBytes, () => stop.abort());
    let audio: Pick<SplitResult, 'audioKey' | 'audioTimelineKey'> | undefined;
    const started = Date.now();
    await withRelayedObjects(
      [{ key, size, etag }],
      async (relay) => {
        let polling = true;
        let pollFailure: { error: unknown } | undefined;
        const poll = (async () => {
          while (polling) {
            try {
              for (const index of await listedChunks(listPath)) await uploader.add(index);
            } catch (error) {
              pollFailure = { error };
              stop.abort();
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, LIST_POLL_MS));
          }
        })();
        try {
          await run('ffmpeg', splitArgs(m, relay.url(key), chunkDir, listPath, audioPath), { signal: stop.signal });
        } catch (err) {
          polling = false;
          await poll;
          if (pollFailure) throw pollFailure.error;
          // ffmpeg killed because an upload failed: that failure is the story.
          await uploader.drain();
          throw err;
        }
        polling = false;
        await poll;
        if (pollFailure) throw pollFailure.error;
        // Every chunk is closed once ffmpeg has exited (a single chunk is not listed at all); the audio
        // copy goes up beside the last chunks.
        const lastChunks = async () => {
          if (m.chunks.length === 1) await uploader.add(0);
          for (const index of await listedChunks(listPath)) await uploader.add(index);
          await uploader.drain();
        };
        [, audio] = await sideBySide([lastChunks, async () => (audioPath ? publishAudioCopy(m, audioPath) : undefined)]);
      },
      // A reader that outpaces the uploads would fill /tmp: hold it back.
      { beforeWindow: () => uploader.room() },
    );
    if (uploader.count !== m.chunks.length) {
      throw new InternalError(`Split produced ${uploader.count} chunks, the plan has ${m.chunks.length}: refusing to publish a misaligned split`);
    }
    log.info('split', { chunks: m.chunks.length, seconds: (Date.now() - started) / 1000 });
    return { chunkKeys: m.chunks.map((c) => videoKeys.sourceChunk(m.jobId, c.index)), audioKey: audio?.audioKey ?? null, audioTimelineKey: audio?.audioTimelineKey ?? null };
  });
}

/** Uploads the copied audio track and where its decoded timeline starts. */
async function publishAudioCopy(m: Manifest, audioPath: string): Promise<Pick<SplitResult, 'audioKey' | 'audioTimelineKey'>> {
  const codec = m.source.audio?.codec;
  if (codec === undefined) throw new InternalError(`Job ${m.jobId} has no audio track to publish`);
  // The copy's timeline may start elsewhere than the source's (Opus in MP4 counts its pre-skip): measured
  // once here, on the local copy, for every segment to count from.
  const timeline: AudioTimeline = { startPts: await audioTimelineOrigin(audioPath) };
  const audioKey = videoKeys.sourceAudio(m.jobId, codec);
  await uploadFile(audioPath, audioKey, { contentType: 'application/octet-stream' });
  await putJson(videoKeys.sourceAudioTimeline(m.jobId), timeline);
  return { audioKey, audioTimelineKey: videoKeys.sourceAudioTimeline(m.jobId) };
}
