// Split's work: one ffmpeg pass that stream-copies the video into chunks cut exactly at the planned
// keyframes, and the audio track into its own file. Video-only chunks because per-chunk audio
// re-encoding drifts (each AAC encode adds priming and padding at every boundary); Matroska for
// video because it carries any codec and keeps absolute timestamps (MPEG-TS crashes our ffprobe).
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Logger } from '../lib/logger';
import { countPackets, run } from '../lib/ffmpeg';
import { downloadToFile, head } from '../lib/s3';
import { InputNotFound, InternalError } from '../lib/errors';
import type { Manifest } from './manifest';
import { audioContainer, videoKeys } from './keys';
import { forEachLimit } from '../lib/for-each-limit';
import { uploadAll } from '../lib/transfer';
import { assertFits, availableBytes, withWorkDir } from '../lib/workdir';

export interface SplitResult {
  chunkKeys: string[];
  audioKey: string | null;
}

/** ffprobe runs per chunk are mostly process start-up: overlap a few. */
const COUNT_CONCURRENCY = 4;

/** Chunks hold the source's video again, audio its audio: about the source's size once more. */
const SPLIT_SPACE_FACTOR = 2.05;

/** One input, two outputs: the segmented video and the copied audio track. */
export function splitArgs(m: Manifest, sourcePath: string, chunkDir: string, audioPath: string | null): string[] {
  const args = ['-v', 'error', '-y', '-i', sourcePath, '-map', `0:${m.source.video.streamIndex}`, '-c', 'copy', '-an', '-sn', '-dn'];
  if (m.chunks.length === 1) {
    args.push('-f', 'matroska', join(chunkDir, '00000.mkv'));
  } else {
    // Frame numbers, not times: a time printed with rounding can land just past a keyframe and
    // move the cut to the next one. The segment muxer counts packets exactly as probe did.
    const frames = m.chunks.slice(1).map((c) => c.startFrame).join(',');
    args.push(
      '-f', 'segment', '-segment_format', 'matroska', '-segment_frames', frames,
      // Keep source timestamps: transcode-chunk passes them through and concat lines them up.
      '-reset_timestamps', '0',
      join(chunkDir, '%05d.mkv'),
    );
  }
  if (audioPath && m.source.audio) {
    const format = audioContainer(m.source.audio.codec).format;
    args.push('-map', `0:${m.source.audio.streamIndex}`, '-c', 'copy', '-vn', '-sn', '-dn', '-f', format, audioPath);
  }
  return args;
}

export async function splitSource(m: Manifest, log: Logger): Promise<SplitResult> {
  const key = m.job.input.key;
  const info = await head(key);
  if (!info) throw new InputNotFound(`Input ${key} disappeared after probing`, { key });
  return withWorkDir(async (dir) => {
    assertFits(Math.ceil(info.size * SPLIT_SPACE_FACTOR), await availableBytes(dir), 'Splitting the input', key);
    const sourcePath = join(dir, 'source');
    const chunkDir = join(dir, 'chunks');
    await mkdir(chunkDir);
    await downloadToFile(key, sourcePath);
    const audioPath = m.source.audio ? join(dir, `audio.${audioContainer(m.source.audio.codec).ext}`) : null;
    const started = Date.now();
    await run('ffmpeg', splitArgs(m, sourcePath, chunkDir, audioPath));
    log.info('split', { chunks: m.chunks.length, seconds: (Date.now() - started) / 1000 });

    // A cut anywhere but the planned frame would shift every later chunk: check before publishing.
    const uploads = m.chunks.map((c) => ({
      path: join(chunkDir, `${String(c.index).padStart(5, '0')}.mkv`),
      key: videoKeys.sourceChunk(m.jobId, c.index),
      contentType: 'video/x-matroska',
    }));
    await forEachLimit(m.chunks, COUNT_CONCURRENCY, async (c, i) => {
      const { video } = await countPackets(uploads[i]!.path);
      if (video !== c.frameCount) {
        throw new InternalError(`Split produced ${video} frames in chunk ${c.index}, the plan says ${c.frameCount}: refusing to publish a misaligned split`);
      }
    });
    if (audioPath && m.source.audio) uploads.push({ path: audioPath, key: videoKeys.sourceAudio(m.jobId, m.source.audio.codec), contentType: 'application/octet-stream' });
    await uploadAll(uploads);
    return {
      chunkKeys: m.chunks.map((c) => videoKeys.sourceChunk(m.jobId, c.index)),
      audioKey: m.source.audio ? videoKeys.sourceAudio(m.jobId, m.source.audio.codec) : null,
    };
  });
}
