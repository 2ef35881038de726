// What a list of video packets says about a stream: frame count, keyframes, time span, and the frames an
// edit list hides. One tally for every reader of packets (ffprobe's packet list, ffmpeg's framecrc), so
// the plan and the checks count alike.

export interface VideoPackets {
  /** Packets of the stream in demux (decode) order: one per frame for the codecs we accept. */
  count: number;
  /** Index (in that order) and presentation time of every keyframe. */
  keyframes: { index: number; time: number }[];
  /** Latest presentation end (pts + duration) over all packets, in seconds. */
  endTime: number;
  /** Earliest presentation time. */
  startTime: number;
  /**
   * The frames a player shows. An edit list (a file trimmed without re-encoding) keeps the GOP
   * around each cut but flags the frames outside it "discard" (D): decoded, never displayed.
   */
  shown: { count: number; startTime: number; endTime: number };
  /** Discarded frames presented before the first shown frame, after the last one, and between shown ones. */
  discarded: { leading: number; trailing: number; inside: number };
  /** What the reader complained about while reading (a truncated file shows up here). */
  errors: string[];
}

export interface PacketFacts {
  /** Presentation time in seconds; NaN when the packet has none. */
  pts: number;
  /** Seconds; NaN when unknown. */
  duration: number;
  key: boolean;
  discard: boolean;
}

/** Adds packets one at a time, in demux order, and sums them up. */
export class PacketTally {
  private count = 0;
  private startTime = Number.POSITIVE_INFINITY;
  private endTime = 0;
  private readonly keyframes: VideoPackets['keyframes'] = [];
  private readonly shown = { count: 0, startTime: Number.POSITIVE_INFINITY, endTime: 0 };
  private readonly discardedPts: number[] = [];

  add(p: PacketFacts): void {
    const index = this.count++;
    if (!Number.isFinite(p.pts)) return;
    const end = p.pts + (Number.isFinite(p.duration) ? p.duration : 0);
    if (p.pts < this.startTime) this.startTime = p.pts;
    if (end > this.endTime) this.endTime = end;
    if (p.key) this.keyframes.push({ index, time: p.pts });
    if (p.discard) {
      this.discardedPts.push(p.pts);
    } else {
      this.shown.count++;
      if (p.pts < this.shown.startTime) this.shown.startTime = p.pts;
      if (end > this.shown.endTime) this.shown.endTime = end;
    }
  }

  result(errors: string[]): VideoPackets {
    const shownStart = Number.isFinite(this.shown.startTime) ? this.shown.startTime : 0;
    const leading = this.discardedPts.filter((t) => t < shownStart).length;
    const trailing = this.discardedPts.filter((t) => t >= this.shown.endTime).length;
    return {
      count: this.count,
      keyframes: this.keyframes,
      startTime: Number.isFinite(this.startTime) ? this.startTime : 0,
      endTime: this.endTime,
      shown: { ...this.shown, startTime: shownStart },
      discarded: { leading, trailing, inside: this.discardedPts.length - leading - trailing },
      errors,
    };
  }
}
