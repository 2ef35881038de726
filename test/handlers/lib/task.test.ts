// defineTask, the glue every task handler uses, against real local S3 and DynamoDB.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { InvalidInput } from '../../../handlers/lib/errors';
import { taskMarkerKey } from '../../../handlers/lib/idempotency';
import { jobFingerprint } from '../../../handlers/lib/job-fingerprint';
import { getJob, listTasks, startJob } from '../../../handlers/lib/progress';
import { exists, getJson } from '../../../handlers/lib/s3';
import { defineTask } from '../../../handlers/lib/task';
import { jobIdSchema } from '../../../handlers/lib/validation';
import { quietLogs } from '../../support/quiet-logs';
import { rejection } from '../../support/rejection';
import { useLocalServices } from '../../support/services';

const context = () => ({ awsRequestId: randomUUID(), functionName: 'Test', getRemainingTimeInMillis: () => 60_000 });
const eventSchema = z.object({ jobId: jobIdSchema, part: z.number().int().min(0), height: z.number().default(360) });

/** A task that counts its runs and fails while `failures` says so. */
function countingTask(state: { runs: number; failures: number }) {
  return defineTask({
    name: 'test-task',
    event: eventSchema,
    load: async ({ part }) => ({ part }),
    progress: { taskId: ({ part }) => `part-${part}`, units: 2 },
    work: async ({ event }) => {
      state.runs += 1;
      if (state.failures > 0) {
        state.failures -= 1;
        throw new InvalidInput('part is unreadable', { field: 'part' });
      }
      return { doubled: event.part * 2 };
    },
    once: {
      marker: ({ jobId, part }) => taskMarkerKey(jobId, `part-${part}`),
      fingerprint: ({ event }) => jobFingerprint(event, []),
      outputs: () => [],
    },
    respond: (r, { reused, jobId }) => ({ jobId, ...r, reused }),
  });
}

describe('handlers/lib/task: defineTask (against s3rver and dynalite)', () => {
  useLocalServices();
  quietLogs();

  it('validates the event first, naming every bad field, before writing anything', async () => {
    const jobId = `t-${randomUUID().slice(0, 8)}`;
    const state = { runs: 0, failures: 0 };
    const err = await rejection(countingTask(state)({ jobId, part: -1, height: 'tall' }, context()));
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.contain('part').and.contain('height');
    expect(state.runs).to.equal(0);
    expect(await getJob(jobId)).to.equal(undefined);
    expect(await exists(taskMarkerKey(jobId, 'part-0'))).to.equal(false);
  });

  it('runs the work once, counts the units once, and records a failed attempt with its error', async () => {
    const jobId = `t-${randomUUID().slice(0, 8)}`;
    await startJob(jobId, { step: 'parts', totalUnits: 4 });
    const state = { runs: 0, failures: 1 };
    const handler = countingTask(state);
    const failed = await rejection(handler({ jobId, part: 3 }, context()));
    expect(failed.name).to.equal('InvalidInput');
    const [afterFailure] = await listTasks(jobId);
    expect(afterFailure).to.include({ taskId: 'part-3', status: 'FAILED', lastError: 'InvalidInput', attempts: 1 });
    expect(afterFailure?.lastCause).to.contain('part is unreadable');

    expect(await handler({ jobId, part: 3 }, context())).to.deep.equal({ jobId, doubled: 6, reused: false });
    expect(await handler({ jobId, part: 3 }, context())).to.deep.equal({ jobId, doubled: 6, reused: true });
    expect(state.runs).to.equal(2);
    const [task] = await listTasks(jobId);
    expect(task).to.include({ status: 'SUCCEEDED', attempts: 3, units: 2 });
    expect((await getJob(jobId))?.doneUnits).to.equal(2);
    // The marker records the job it belongs to: the event without its jobId, defaults applied.
    const marker = await getJson<{ job: { settings: unknown } }>(taskMarkerKey(jobId, 'part-3'));
    expect(marker.job.settings).to.deep.equal({ part: 3, height: 360 });
  });

  it('refuses the same jobId with other settings (JobMismatch) and does no work', async () => {
    const jobId = `t-${randomUUID().slice(0, 8)}`;
    await startJob(jobId, { step: 'parts', totalUnits: 2 });
    const state = { runs: 0, failures: 0 };
    await countingTask(state)({ jobId, part: 1 }, context());
    const err = await rejection(countingTask(state)({ jobId, part: 1, height: 720 }, context()));
    expect(err.name).to.equal('JobMismatch');
    expect(state.runs).to.equal(1);
  });

  it('starts the job at its first step, moves the step, and skips without a record when there is nothing to do', async () => {
    const jobId = `t-${randomUUID().slice(0, 8)}`;
    const first = defineTask({
      name: 'test-first',
      event: z.object({ jobId: jobIdSchema }),
      step: { name: 'first', startsJob: true },
      work: async () => 'planned',
      respond: (r) => r,
    });
    const second = defineTask({
      name: 'test-second',
      event: z.object({ jobId: jobIdSchema, empty: z.boolean() }),
      step: { name: 'second' },
      skip: ({ event }) => (event.empty ? 'nothing' : undefined),
      progress: { taskId: () => 'second', units: 1 },
      work: async () => 'worked',
      respond: (r) => r,
    });
    expect(await first({ jobId }, context())).to.equal('planned');
    expect(await getJob(jobId)).to.include({ status: 'RUNNING', step: 'first' });
    expect(await second({ jobId, empty: true }, context())).to.equal('nothing');
    expect(await getJob(jobId)).to.include({ step: 'first' });
    expect(await listTasks(jobId)).to.deep.equal([]);
    expect(await second({ jobId, empty: false }, context())).to.equal('worked');
    expect(await getJob(jobId)).to.include({ step: 'second', doneUnits: 1 });
  });
});
