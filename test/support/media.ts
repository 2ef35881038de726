// Clips for tests: the synthetic generator (shared with the demo and the benchmark) plus the odd shapes
// real-world files come in.
import { run } from '../../handlers/lib/ffmpeg';

export { clipDefaults, expectedFrames, generateAudioOnly, generateClip, type ClipOptions } from '../../local/media/synthetic-clip';

/**
 * Trims `src` from `startSeconds` without re-encoding, as phone and editing apps do: the mp4 keeps
 * the GOP around the cut and an edit list hides the frames before it (decoded, never shown).
 */
export async function trimByEditList(src: string, dst: string, startSeconds: number): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-ss', String(startSeconds), '-i', src, '-c', 'copy', dst]);
}

/** Copies `src` with a rotation tag, as phones store portrait video: landscape frames plus "turn them". */
export async function rotateByMetadata(src: string, dst: string, degrees: number): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-i', src, '-c', 'copy', '-metadata:s:v:0', `rotate=${degrees}`, dst]);
}
