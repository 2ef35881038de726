// Merge's acceptance test: the output must match the source frame for frame, within one frame of
// duration and within one AAC frame of audio. Pure, so the thresholds are tested on their own.
import { z } from 'zod';
import { NamedError } from '../lib/errors';

/** One AAC frame: the encoder pads the last frame, so the count may legitimately differ by up to this. */
export const AUDIO_SAMPLE_TOLERANCE = 1024;

export interface Expected {
  frameCount: number;
  durationSeconds: number;
  fps: number;
  /** null when the source has no audio. */
  audio: { samples: number; sampleRate: number } | null;
}

export interface Measured {
  frameCount: number;
  durationSeconds: number;
  audio: { samples: number; sampleRate: number } | null;
  decodeErrors: string[];
}

/** The figures merge records (output/verification.json) and returns to the state machine. */
export const verificationSchema = z.object({
  ok: z.boolean(),
  problems: z.array(z.string()),
  frames: z.object({ expected: z.number(), actual: z.number() }),
  durationSeconds: z.object({ expected: z.number(), actual: z.number(), tolerance: z.number() }),
  audioSamples: z.object({ expected: z.number(), actual: z.number(), tolerance: z.number() }).nullable(),
  decodeErrors: z.array(z.string()),
});

export type Verification = z.infer<typeof verificationSchema>;

export function verifyOutput(expected: Expected, measured: Measured): Verification {
  const problems: string[] = [];
  if (measured.frameCount !== expected.frameCount) {
    problems.push(`frame count ${measured.frameCount} != source ${expected.frameCount}`);
  }
  const frameSeconds = 1 / expected.fps;
  if (Math.abs(measured.durationSeconds - expected.durationSeconds) > frameSeconds + 1e-6) {
    problems.push(`duration ${measured.durationSeconds.toFixed(6)} s is more than one frame from ${expected.durationSeconds.toFixed(6)} s`);
  }
  let audioSamples: Verification['audioSamples'] = null;
  if (expected.audio) {
    if (!measured.audio) {
      problems.push('source has audio but the output has none');
    } else {
      // Compare at the source's rate in case the encoder resampled.
      const actual = Math.round((measured.audio.samples * expected.audio.sampleRate) / measured.audio.sampleRate);
      audioSamples = { expected: expected.audio.samples, actual, tolerance: AUDIO_SAMPLE_TOLERANCE };
      if (Math.abs(actual - expected.audio.samples) > AUDIO_SAMPLE_TOLERANCE) {
        problems.push(`audio samples ${actual} differ from source ${expected.audio.samples} by more than ${AUDIO_SAMPLE_TOLERANCE}`);
      }
    }
  } else if (measured.audio) {
    problems.push('source has no audio but the output has some');
  }
  if (measured.decodeErrors.length > 0) problems.push(`output does not decode cleanly: ${measured.decodeErrors.slice(-2).join(' | ')}`);
  return {
    ok: problems.length === 0,
    problems,
    frames: { expected: expected.frameCount, actual: measured.frameCount },
    durationSeconds: { expected: expected.durationSeconds, actual: measured.durationSeconds, tolerance: frameSeconds },
    audioSamples,
    decodeErrors: measured.decodeErrors,
  };
}

/** The output does not match its source: not retryable, the job fails with the figures. */
export class VerificationFailed extends NamedError {
  override readonly name = 'VerificationFailed';
}
