// The part of Lambda's context the video handlers use; the local runner passes the same.
import type { InvocationContext } from '../lib/logger';

export type VideoContext = InvocationContext & {
  getRemainingTimeInMillis(): number;
};
