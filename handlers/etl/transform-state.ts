// A transform's checkpointed state, as read back from S3: checked, not trusted. A state this code cannot
// resume (another version's, or an object someone else wrote at the key) is refused naming the key,
// rather than resuming at a wrong offset or with wrong totals.
import { z } from 'zod';
import { InternalError } from '../lib/errors';
import { fieldProblems } from '../lib/validation';
import type { TransformState } from './transform-partition';

const count = z.number().int().min(0);

const transformStateSchema: z.ZodType<TransformState> = z.strictObject({
  position: count,
  row: z.number().int().min(1),
  counts: z.strictObject({ rowsIn: count, rowsOut: count, rowsFiltered: count, rowsRejected: count }),
  partials: z.array(z.strictObject({ bucket: count, key: z.string().min(1) })),
  rows: z.array(z.string().min(1)),
  rejects: z.array(z.string().min(1)),
});

export function parseTransformState(raw: unknown, checkpointKey: string): TransformState {
  const parsed = transformStateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = fieldProblems(parsed.error).map((p) => `${p.field}: ${p.message}`);
  throw new InternalError(`Checkpoint ${checkpointKey} does not hold a transform state this code can resume (${problems.slice(0, 3).join('; ')})`, { key: checkpointKey });
}
