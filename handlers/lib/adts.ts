// ADTS, the self-framed way to carry AAC: each frame starts with a 7-byte header (9 with a CRC) that holds
// its own length, so frames can be counted, picked and joined as bytes, and a concatenation of ADTS files
// of one encoder setting is itself an ADTS stream.
import { InternalError } from './errors';

/** The frames of an ADTS stream, in order; throws on anything that is not a whole number of frames. */
export function adtsFrames(stream: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  while (at < stream.length) {
    if (stream.length - at < 7 || stream[at] !== 0xff || (stream[at + 1]! & 0xf6) !== 0xf0) {
      throw new InternalError(`Not an ADTS frame at byte ${at} of ${stream.length}`);
    }
    // 13-bit frame length (header included) across bytes 3-5.
    const length = ((stream[at + 3]! & 0x03) << 11) | (stream[at + 4]! << 3) | (stream[at + 5]! >> 5);
    if (length < 7 || at + length > stream.length) throw new InternalError(`ADTS frame at byte ${at} claims ${length} bytes; ${stream.length - at} remain`);
    frames.push(stream.subarray(at, at + length));
    at += length;
  }
  return frames;
}
