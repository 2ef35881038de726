// What a state's paths, intrinsic functions and JSONata expressions see besides their data and `$$`: the
// workflow variables of the state's scope, and a random source and a clock.
//
// Replay (replay.ts) runs a resumed or redriven execution's definition again and expects every state to compute
// what it computed the first time, given the same recorded task outcomes. So nothing here draws on the machine:
// - random numbers and UUIDs (States.MathRandom and States.UUID without a seed, JSONata's `$random()` and
//   `$uuid()`) come from a SHA-256 of the execution ARN, the thread's key, the thread's event count and a counter
//   of draws at that point: different for every execution, state, attempt and call, the same on every replay;
// - JSONata's `$now()` and `$millis()` are the time of the latest event recorded on the thread (the state's
//   entry, or the task's outcome once it has one), which replay takes back from the history.
// A redriven state's events land on the keys its failed attempt had, so it draws the same values again.
import { createHash } from 'node:crypto';
import type { Thread } from './run-context';
import { readVariable } from './variables';

export interface EvalEnv {
  /** The value of workflow variable `name` in the state's scope; undefined when it has none. */
  variable(name: string): unknown;
  /** A number in [0, 1). */
  random(): number;
  /** A version 4 UUID. */
  uuid(): string;
  /** Milliseconds since the epoch: the time of the latest event recorded on the thread. */
  now(): number;
}

/** The thread's environment, made at its first use and kept on the thread (its draw counter must last). */
export function envOf(thread: Thread): EvalEnv {
  return (thread.env ??= new ThreadEnv(thread));
}

// A class, not closures: a Map makes a thread per iteration, and this is one small object for each.
class ThreadEnv implements EvalEnv {
  /** Draws made since the thread last recorded an event. */
  private drawSeq = -1;
  private draws = 0;

  constructor(private readonly thread: Thread) {}

  variable(name: string): unknown {
    return readVariable(this.thread.vars, name);
  }

  random(): number {
    return fractionOf(this.digest());
  }

  uuid(): string {
    return uuidOf(this.digest());
  }

  now(): number {
    const { thread } = this;
    return thread.run.history.events[thread.lastEventId - 1]?.timestamp.getTime() ?? Date.now();
  }

  private digest(): Buffer {
    const { thread } = this;
    if (this.drawSeq !== thread.seq) {
      this.drawSeq = thread.seq;
      this.draws = 0;
    }
    return createHash('sha256').update(`${thread.run.info.executionArn}|${thread.key}|${thread.seq}|${this.draws++}`).digest();
  }
}

/** 53 random bits as a double in [0, 1). */
function fractionOf(bytes: Buffer): number {
  const high = bytes.readUInt32BE(0) >>> 5; // 27 bits
  const low = bytes.readUInt32BE(4) >>> 6; // 26 bits
  return (high * 67108864 + low) / 9007199254740992;
}

function uuidOf(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
