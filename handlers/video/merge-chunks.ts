// Merge's work: concatenate the encoded chunks (concat demuxer, stream copy: no re-encode), mux the
// audio, move the index first (+faststart) and verify the result against the source before
// publishing it. The merged file goes to work/ first; nothing reaches output/ unless it passed.
import { join } from 'node:path';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import type { Logger } from '../lib/logger';
import { decodeCheck, mainVideoStream, probe, run, videoPackets } from '../lib/ffmpeg';
import { deleteKeys, head, putJson, uploadFile } from '../lib/s3';
import { InputNotFound } from '../lib/errors';
import { jobKeys } from '../lib/storage-layout';
import type { Manifest } from './manifest';
import { videoKeys } from './keys';
import { forEachLimit } from '../lib/for-each-limit';
import { downloadAll, TRANSFER_CONCURRENCY } from '../lib/transfer';
import { verifyOutput, VerificationFailed, type Verification } from './verify';
import { assertFits, availableBytes, withWorkDir } from '../lib/workdir';

export interface MergeResult {
  outputKey: string;
  chunks: number;
  bytes: number;
  verification: Verification;
}

/** Where a failed verification's figures go: beside the output, never in place of it. */
export const failedVerificationKey = (jobId: string) => jobKeys.output(jobId, 'verification-failed.json');

/** The concat demuxer's list: one absolute path per line, single quotes escaped the way it expects. */
export function concatList(paths: readonly string[]): string {
  return paths.map((p) => `file '${p.replace(/'/g, "'\\''")}'\n`).join('');
}

export function muxArgs(listPath: string, audioPath: string | null, outPath: string): string[] {
  const args = ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', listPath];
  if (audioPath) args.push('-i', audioPath);
  args.push('-map', '0:v:0');
  if (audioPath) args.push('-map', '1:a:0');
  args.push('-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', outPath);
  return args;
}

async function sizeOf(key: string): Promise<number> {
  const info = await head(key);
  if (!info) throw new InputNotFound(`Missing ${key}: the task that writes it has not finished`, { key });
  return info.size;
}

export async function mergeChunks(m: Manifest, log: Logger): Promise<MergeResult> {
  const chunkKeys = m.chunks.map((c) => videoKeys.encodedChunk(m.jobId, c.index));
  const audioKey = m.source.audio ? videoKeys.encodedAudio(m.jobId) : null;
  let inputBytes = 0;
  await forEachLimit([...chunkKeys, ...(audioKey ? [audioKey] : [])], TRANSFER_CONCURRENCY, async (key) => {
    inputBytes += await sizeOf(key);
  });

  return withWorkDir(async (dir) => {
    // Inputs plus an output of about the same size.
    assertFits(inputBytes * 2, await availableBytes(dir), 'Merging the chunks', videoKeys.output(m.jobId));
    const chunkDir = join(dir, 'chunks');
    await mkdir(chunkDir);
    const chunkPaths = m.chunks.map((c) => join(chunkDir, `${String(c.index).padStart(5, '0')}.mp4`));
    const audioPath = audioKey ? join(dir, 'audio.m4a') : null;
    await downloadAll([
      ...chunkKeys.map((key, i) => ({ key, path: chunkPaths[i]! })),
      ...(audioKey && audioPath ? [{ key: audioKey, path: audioPath }] : []),
    ]);
    const listPath = join(dir, 'list.txt');
    await writeFile(listPath, concatList(chunkPaths));
    const outPath = join(dir, 'video.mp4');
    const started = Date.now();
    await run('ffmpeg', muxArgs(listPath, audioPath, outPath));
    const muxSeconds = (Date.now() - started) / 1000;

    // Under work/ whatever the verdict: a file that failed stays there (until work/ expires) to be looked at.
    await uploadFile(outPath, videoKeys.mergedVideo(m.jobId), { contentType: 'video/mp4' });
    const verification = await verifyFile(m, outPath);
    log.info('verified', { ok: verification.ok, problems: verification.problems, muxSeconds });
    if (!verification.ok) {
      await putJson(failedVerificationKey(m.jobId), verification);
      throw new VerificationFailed(
        `Output does not match the source: ${verification.problems.join('; ')} (merged file kept at ${videoKeys.mergedVideo(m.jobId)})`,
      );
    }
    // Published from the verified local file (a server-side copy would carry the work/ expiry tag along).
    const outputKey = videoKeys.output(m.jobId);
    await uploadFile(outPath, outputKey, { contentType: 'video/mp4' });
    // An earlier attempt's failure record would contradict the published output.
    await deleteKeys([failedVerificationKey(m.jobId)]);
    const { size: bytes } = await stat(outPath);
    return { outputKey, chunks: m.chunks.length, bytes, verification };
  });
}

/**
 * Measures the merged file the same way probe measured the source, then compares. Frames and
 * duration come from reading every packet; audio is decoded (the only exact sample count). The
 * video is not decoded again: an hour of it would cost minutes, and stream copy cannot corrupt
 * what transcode-chunk produced and counted.
 */
export async function verifyFile(m: Manifest, path: string): Promise<Verification> {
  const info = await probe(path);
  const video = mainVideoStream(info);
  const packets = video ? await videoPackets(path, video.index) : undefined;
  const decoded = await decodeCheck(path, { video: false });
  return verifyOutput(
    {
      frameCount: m.source.video.frameCount,
      durationSeconds: m.source.video.durationSeconds,
      fps: m.source.video.fps,
      audio: m.source.audio ? { samples: m.source.audio.samples, sampleRate: m.source.audio.sampleRate } : null,
    },
    {
      frameCount: packets?.shown.count ?? 0,
      durationSeconds: packets ? packets.shown.endTime - packets.shown.startTime : 0,
      audio: decoded.audio,
      decodeErrors: [...(packets?.errors ?? []), ...decoded.errors],
    },
  );
}
