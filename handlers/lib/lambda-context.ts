// The part of Lambda's context handlers use; the local runner passes the same.
import type { InvocationContext } from './logger';

export type LambdaContext = InvocationContext & {
  getRemainingTimeInMillis(): number;
};
