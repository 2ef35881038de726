// Merge's work: concatenate the encoded chunks (concat demuxer, stream copy: no re-encode), join the
// audio segments (their AAC frames, byte for byte), mux them, move the index first (+faststart) and
// verify the result against the source before publishing it. The chunks are read in place over HTTP;
// the merged file is uploaded to work/ while it is verified, and published to output/ with a
// server-side copy only once it passed: nothing reaches output/ unverified, and it is uploaded once.
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../lib/logger';
import { decodeCheck, mainVideoStream, probe, run, videoPackets } from '../lib/ffmpeg';
import { deleteKeys, head, putJson, uploadFile } from '../lib/s3';
import { copyObject } from '../lib/s3-copy';
import { withRelayedObjects } from '../lib/s3-http-relay';
import { InputNotFound } from '../lib/errors';
import { jobKeys } from '../lib/storage-layout';
import type { Manifest } from './manifest';
import { videoKeys } from './keys';
import { forEachLimit } from '../lib/for-each-limit';
import { downloadAll, TRANSFER_CONCURRENCY } from '../lib/transfer';
import { AAC_PRIMING_SAMPLES } from './audio-segment';
import { verifyOutput, VerificationFailed, type Verification } from './verify';
import { assertFits, availableBytes, withWorkDir } from '../lib/workdir';
import { sideBySide } from '../lib/side-by-side';

export interface MergeResult {
  outputKey: string;
  chunks: number;
  bytes: number;
  verification: Verification;
}

/** Where a failed verification's figures go: beside the output, never in place of it. */
export const failedVerificationKey = (jobId: string) => jobKeys.output(jobId, 'verification-failed.json');

/** The concat demuxer's list: one path or URL per line, single quotes escaped the way it expects. */
export function concatList(paths: readonly string[]): string {
  return paths.map((p) => `file '${p.replace(/'/g, "'\\''")}'\n`).join('');
}

/** The joined audio (ADTS) and its sample rate. */
export interface JoinedAudio {
  path: string;
  sampleRate: number;
}

export function muxArgs(listPath: string, audio: JoinedAudio | null, outPath: string): string[] {
  // The list names http:// URLs (the relay): a list read from a file may only open files unless told otherwise.
  const args = ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,http,tcp', '-i', listPath];
  // The joined frames start with the encoder's priming frame; starting them that much before zero is how
  // one encode hands them to the muxer, which then writes the edit list that hides it.
  if (audio) args.push('-itsoffset', (-AAC_PRIMING_SAMPLES / audio.sampleRate).toFixed(9), '-i', audio.path);
  args.push('-map', '0:v:0');
  if (audio) args.push('-map', '1:a:0');
  args.push('-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', outPath);
  return args;
}

async function sizeOf(key: string): Promise<number> {
  const info = await head(key);
  if (!info) throw new InputNotFound(`Missing ${key}: the task that writes it has not finished`, { key });
  return info.size;
}

/** Downloads the segments and joins them in order into one ADTS file at `path`. */
async function joinAudio(keys: readonly string[], dir: string, path: string): Promise<void> {
  const partsDir = join(dir, 'audio-parts');
  await mkdir(partsDir);
  const parts = keys.map((key, i) => ({ key, path: join(partsDir, `${String(i).padStart(5, '0')}.aac`) }));
  await downloadAll(parts);
  const out = await open(path, 'w');
  try {
    // A segment is a chunk's span of AAC (~16 KB/s at 128 kbit/s): small enough to hold.
    for (const part of parts) {
      await out.write(await readFile(part.path));
      await rm(part.path);
    }
  } finally {
    await out.close();
  }
}

export async function mergeChunks(m: Manifest, log: Logger): Promise<MergeResult> {
  const chunkKeys = m.chunks.map((c) => videoKeys.encodedChunk(m.jobId, c.index));
  const audioKeys = m.source.audio ? m.chunks.filter((c) => c.audio).map((c) => videoKeys.encodedAudio(m.jobId, c.index)) : [];
  const sizes = new Map<string, number>();
  await forEachLimit([...chunkKeys, ...audioKeys], TRANSFER_CONCURRENCY, async (key) => {
    sizes.set(key, await sizeOf(key));
  });
  const audioBytes = audioKeys.reduce((sum, k) => sum + sizes.get(k)!, 0);
  const videoBytes = chunkKeys.reduce((sum, k) => sum + sizes.get(k)!, 0);

  return withWorkDir(async (dir) => {
    // The joined audio (and its parts, one at a time), plus an output of about everything's size.
    assertFits(Math.ceil((videoBytes + 3 * audioBytes) * 1.05), await availableBytes(dir), 'Merging the chunks', videoKeys.output(m.jobId));
    const audio = m.source.audio && audioKeys.length > 0 ? { path: join(dir, 'audio.aac'), sampleRate: m.source.audio.sampleRate } : null;
    if (audio) await joinAudio(audioKeys, dir, audio.path);
    const outPath = join(dir, 'video.mp4');
    const started = Date.now();
    await withRelayedObjects(
      chunkKeys.map((key) => ({ key, size: sizes.get(key)! })),
      async (relay) => {
        const listPath = join(dir, 'list.txt');
        await writeFile(listPath, concatList(chunkKeys.map((key) => relay.url(key))));
        await run('ffmpeg', muxArgs(listPath, audio, outPath));
      },
    );
    const muxSeconds = (Date.now() - started) / 1000;

    // Under work/ whatever the verdict (a file that failed stays there, until work/ expires, to be looked
    // at), uploaded while it is verified.
    const mergedKey = videoKeys.mergedVideo(m.jobId);
    const [uploaded, verification] = await sideBySide([() => uploadFile(outPath, mergedKey, { contentType: 'video/mp4' }), () => verifyFile(m, outPath)]);
    log.info('verified', { ok: verification.ok, problems: verification.problems, muxSeconds });
    if (!verification.ok) {
      await putJson(failedVerificationKey(m.jobId), verification);
      throw new VerificationFailed(`Output does not match the source: ${verification.problems.join('; ')} (merged file kept at ${mergedKey})`);
    }
    // Published by S3 itself, from exactly the upload that was verified (pinned by its ETag), without the work/ expiry tag.
    const { size: bytes } = await stat(outPath);
    const outputKey = videoKeys.output(m.jobId);
    await copyObject(mergedKey, outputKey, { size: bytes, sourceEtag: uploaded.etag, contentType: 'video/mp4' });
    // An earlier attempt's failure record would contradict the published output.
    await deleteKeys([failedVerificationKey(m.jobId)]);
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
  // Two passes over the file, side by side: the packet list and the audio decode (the longer one).
  const [packets, decoded] = await Promise.all([video ? videoPackets(path, video.index) : undefined, decodeCheck(path, { video: false })]);
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
