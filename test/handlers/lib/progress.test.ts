import { expect } from 'chai';
import net from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as progress from '../../../handlers/lib/progress';
import { InternalError } from '../../../handlers/lib/errors';
import { PROGRESS_RETENTION_SECONDS, progressTable } from '../../../handlers/lib/storage-layout';
import { useLocalServices } from '../../support/services';
import { rejection } from '../../support/rejection';
import { resetClients } from '../../../handlers/lib/client-cache';

/**
 * A TCP proxy to DynamoDB that lets the first request containing `marker` reach the server but loses
 * its response (the connection drops), as a network blip does; the SDK then retries that request.
 */
async function lossyProxy(target: string, marker: string): Promise<{ endpoint: string; dropped: () => boolean; close: () => void }> {
  const { hostname, port } = new URL(target);
  let dropped = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let sawMarker = false;
    client.on('data', (d) => {
      if (d.toString().includes(marker)) sawMarker = true;
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (sawMarker && !dropped) {
        dropped = true;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    dropped: () => dropped,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Runs `fn` with handlers/lib's DynamoDB client pointed at `endpoint`. */
async function viaEndpoint<T>(endpoint: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  resetClients();
  try {
    return await fn();
  } finally {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
    resetClients();
  }
}


describe('handlers/lib/progress (against dynalite)', () => {
  const services = useLocalServices();
  let n = 0;
  const newJob = () => `job-${++n}`;

  /** What a crash between the task write and the job write leaves: the task done, its units never added to the job. */
  async function markDoneUncounted(jobId: string, taskId: string, units: number): Promise<void> {
    const { endpoints, region, table } = services();
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region }));
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: progressTable.jobPk(jobId), sk: progressTable.taskSk(taskId) },
          UpdateExpression: 'SET jobId = :j, taskId = :t, #s = :s, doneAt = :now, units = :u, attempts = :one',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':j': jobId, ':t': taskId, ':s': 'SUCCEEDED', ':now': new Date().toISOString(), ':u': units, ':one': 1 },
        }),
      );
    } finally {
      doc.destroy();
    }
  }

  it('creates a RUNNING job with its step, total and timestamps', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'split', totalUnits: 4 });
    const job = await progress.getJob(jobId);
    expect(job).to.include({ jobId, status: 'RUNNING', step: 'split', doneUnits: 0, totalUnits: 4 });
    expect(Date.parse(job!.startedAt)).to.be.a('number').and.not.NaN;
    expect(job!.updatedAt >= job!.startedAt).to.equal(true);
    expect(job!.finishedAt).to.equal(undefined);
    expect(await progress.getJob('never-started')).to.equal(undefined);
  });

  it('counts a task done twice (a retry) exactly once', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'transcode', totalUnits: 3 });
    await progress.recordTaskStart(jobId, 'chunk-0');
    expect(await progress.recordTaskDone(jobId, 'chunk-0', { durationMs: 120, units: 2 })).to.equal(true);
    await progress.recordTaskStart(jobId, 'chunk-0');
    expect(await progress.recordTaskDone(jobId, 'chunk-0', { durationMs: 90, units: 2 })).to.equal(false);
    // Concurrent duplicates too: only one of them may win.
    const wins = await Promise.all(
      Array.from({ length: 5 }, () => progress.recordTaskDone(jobId, 'chunk-1', { durationMs: 10 })),
    );
    expect(wins.filter(Boolean)).to.have.length(1);

    expect((await progress.getJob(jobId))!.doneUnits).to.equal(3);
    const tasks = await progress.listTasks(jobId);
    expect(tasks.map((t) => t.taskId)).to.deep.equal(['chunk-0', 'chunk-1']);
    expect(tasks[0]).to.include({ status: 'SUCCEEDED', attempts: 2, durationMs: 120, units: 2 });
    expect(tasks[1]).to.include({ status: 'SUCCEEDED', attempts: 1, units: 1 });
  });

  it('keeps a done task done when a late start arrives, still counting the attempt', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 's', totalUnits: 1 });
    await progress.recordTaskDone(jobId, 't', { durationMs: 5 });
    await progress.recordTaskStart(jobId, 't');
    const [task] = await progress.listTasks(jobId);
    expect(task).to.include({ status: 'SUCCEEDED', attempts: 2 });
    expect(task!.doneAt).to.be.a('string');
  });

  it('records a failed attempt, which a later success replaces but a late failure does not', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 's', totalUnits: 2 });
    await progress.recordTaskStart(jobId, 'flaky');
    await progress.recordTaskError(jobId, 'flaky', { error: 'TransientError', cause: 'throttled' });
    expect((await progress.listTasks(jobId))[0]).to.include({ status: 'FAILED', lastError: 'TransientError', lastCause: 'throttled', attempts: 1 });

    await progress.recordTaskStart(jobId, 'flaky');
    await progress.recordTaskDone(jobId, 'flaky', { durationMs: 7 });
    await progress.recordTaskError(jobId, 'flaky', { error: 'Sandbox.Timedout' }); // a duplicate attempt, late
    expect((await progress.listTasks(jobId))[0]).to.include({ status: 'SUCCEEDED', lastError: 'TransientError', attempts: 2 });
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(1);
  });

  it('never sends a SUCCEEDED job back to RUNNING or FAILED, nor lowers its counts', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'split', totalUnits: 2 });
    await progress.recordTaskDone(jobId, 'a', { durationMs: 1 });
    await progress.recordTaskDone(jobId, 'b', { durationMs: 1 });
    await progress.finishJob(jobId, { status: 'SUCCEEDED' });
    const done = await progress.getJob(jobId);

    await progress.startJob(jobId, { step: 'split', totalUnits: 0 });
    await progress.setJobStep(jobId, 'merge');
    await progress.setJobTotal(jobId, 99);
    await progress.recordTaskStart(jobId, 'a');
    await progress.recordTaskDone(jobId, 'a', { durationMs: 1 });
    await progress.finishJob(jobId, { status: 'FAILED', error: 'Late', cause: 'out of order' });

    const after = await progress.getJob(jobId);
    expect(after).to.include({ status: 'SUCCEEDED', step: 'split', doneUnits: 2, totalUnits: 2 });
    expect(after!.finishedAt).to.equal(done!.finishedAt);
    expect(after!.error).to.equal(undefined);
  });

  it('records a failure, and lets a re-run restart it without losing counts', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'split', totalUnits: 3 });
    await progress.recordTaskDone(jobId, 'a', { durationMs: 1 });
    await progress.finishJob(jobId, { status: 'FAILED', error: 'InvalidInput', cause: 'bad frame rate' });
    expect(await progress.getJob(jobId)).to.include({ status: 'FAILED', error: 'InvalidInput', cause: 'bad frame rate', doneUnits: 1 });

    await progress.startJob(jobId, { step: 'split', totalUnits: 3 });
    const restarted = await progress.getJob(jobId);
    expect(restarted).to.include({ status: 'RUNNING', doneUnits: 1, totalUnits: 3 });
    expect(restarted!.error).to.equal(undefined);
    expect(restarted!.finishedAt).to.equal(undefined);
    await progress.recordTaskDone(jobId, 'a', { durationMs: 1 }); // already counted before the failure
    await progress.recordTaskDone(jobId, 'b', { durationMs: 1 });
    await progress.finishJob(jobId, { status: 'SUCCEEDED' });
    expect(await progress.getJob(jobId)).to.include({ status: 'SUCCEEDED', doneUnits: 2 });
  });

  it('keeps counts when updates arrive before the start record', async () => {
    const jobId = newJob();
    await progress.recordTaskDone(jobId, 'early', { durationMs: 3, units: 5 });
    await progress.startJob(jobId, { step: 'transform', totalUnits: 10 });
    expect(await progress.getJob(jobId)).to.include({ status: 'RUNNING', step: 'transform', doneUnits: 5, totalUnits: 10 });
  });

  it('records a job that failed before it ever started', async () => {
    const jobId = newJob();
    await progress.finishJob(jobId, { status: 'FAILED', error: 'InvalidInput', cause: 'jobId: expected string' });
    expect(await progress.getJob(jobId)).to.include({ status: 'FAILED', error: 'InvalidInput', doneUnits: 0 });
  });

  it('moves the step and total of a running job, and refuses a job that has no record', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'split', totalUnits: 0 });
    await progress.setJobStep(jobId, 'transcode');
    await progress.setJobTotal(jobId, 12);
    expect(await progress.getJob(jobId)).to.include({ step: 'transcode', totalUnits: 12 });
    const err = await rejection(progress.setJobStep('no-such-job', 'x'));
    expect(err).to.be.instanceOf(InternalError);
    expect(err.message).to.include('no-such-job');
  });

  it('repairs an under-count left by a crash between the task write and the job write', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 's', totalUnits: 2 });
    await progress.recordTaskDone(jobId, 'a', { durationMs: 1 });
    // Simulate the crash: the task is marked done but its units never reached the job.
    await markDoneUncounted(jobId, 'b', 1);
    // Nobody retried b: the job's end repairs the count, and a late retry cannot add it again.
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(1);
    await progress.finishJob(jobId, { status: 'SUCCEEDED' });
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(2);
    expect(await progress.recordTaskDone(jobId, 'b', { durationMs: 1 })).to.equal(false);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(2);
  });

  it('lets a retry of a task left done but uncounted by a crash count it, once', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 's', totalUnits: 3 });
    await markDoneUncounted(jobId, 'c', 2);
    // The retry passes other units than were recorded: the recorded ones count.
    expect(await progress.recordTaskDone(jobId, 'c', { durationMs: 1, units: 5 })).to.equal(true);
    expect(await progress.recordTaskDone(jobId, 'c', { durationMs: 1, units: 5 })).to.equal(false);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(2);
  });

  it("counts a task once when the job write's response is lost and the SDK resends it", async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'transcode', totalUnits: 3 });
    const proxy = await lossyProxy(services().endpoints.dynamodb, 'ADD doneUnits');
    try {
      await viaEndpoint(proxy.endpoint, () => progress.recordTaskDone(jobId, 'chunk-0', { durationMs: 5 }));
    } finally {
      proxy.close();
    }
    expect(proxy.dropped()).to.equal(true);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(1);
  });

  it("still counts a task when the task write's response is lost and the resend finds it done", async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'transcode', totalUnits: 3 });
    const proxy = await lossyProxy(services().endpoints.dynamodb, 'doneAt = :now');
    try {
      await viaEndpoint(proxy.endpoint, () => progress.recordTaskDone(jobId, 'chunk-0', { durationMs: 5, units: 2 }));
    } finally {
      proxy.close();
    }
    expect(proxy.dropped()).to.equal(true);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(2);
    expect((await progress.listTasks(jobId))[0]).to.include({ status: 'SUCCEEDED', units: 2 });
  });

  it('sets the TTL attribute on job and task items at every write', async () => {
    const jobId = newJob();
    const { endpoints, region, table } = services();
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region }));
    const expiresAt = async (sk: string) =>
      (await doc.send(new GetCommand({ TableName: table, Key: { pk: progressTable.jobPk(jobId), sk }, ConsistentRead: true }))).Item?.[
        progressTable.ttlAttribute
      ] as number | undefined;
    const inRetention = (value: number | undefined, from: number, to: number) =>
      expect(value).to.be.a('number').within(from + PROGRESS_RETENTION_SECONDS, to + PROGRESS_RETENTION_SECONDS);
    const nowS = () => Math.floor(Date.now() / 1000);
    try {
      const cases: [string, () => Promise<unknown>][] = [
        ['JOB', () => progress.startJob(jobId, { step: 's', totalUnits: 2 })],
        ['JOB', () => progress.setJobStep(jobId, 't')],
        ['TASK#a', () => progress.recordTaskStart(jobId, 'a')],
        ['TASK#a', () => progress.recordTaskError(jobId, 'a', { error: 'E' })],
        ['TASK#a', () => progress.recordTaskDone(jobId, 'a', { durationMs: 1 })],
        ['TASK#a', () => progress.recordTaskStart(jobId, 'a')], // the attempts-only path
        ['JOB', () => progress.finishJob(jobId, { status: 'SUCCEEDED' })],
      ];
      for (const [sk, write] of cases) {
        // Pushed back first so each write must set it itself.
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: progressTable.jobPk(jobId), sk },
            UpdateExpression: 'SET expiresAt = :old',
            ExpressionAttributeValues: { ':old': 1 },
          }),
        );
        const from = nowS();
        await write();
        inRetention(await expiresAt(sk), from, nowS());
      }
    } finally {
      doc.destroy();
    }
    expect(PROGRESS_RETENTION_SECONDS).to.equal(90 * 24 * 3600);
  });

  it('rejects bad arguments naming the field', async () => {
    expect((await rejection(progress.startJob('bad/id', { step: 's', totalUnits: 1 }))).message).to.include('jobId');
    expect((await rejection(progress.startJob('ok', { step: 's', totalUnits: -1 }))).message).to.include('totalUnits');
    expect((await rejection(progress.recordTaskDone('ok', 't', { durationMs: 1, units: 1.5 }))).message).to.include('units');
    expect((await rejection(progress.recordTaskDone('ok', '', { durationMs: 1 }))).message).to.include('taskId');
    expect(await progress.getJob('ok')).to.equal(undefined); // nothing was written
  });

  it('lists tasks across pages', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 's', totalUnits: 0 });
    // ~1.2 MB of task items: more than one 1 MB Query page.
    const pad = 'x'.repeat(4000);
    const ids = Array.from({ length: 300 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    const { endpoints, region, table } = services();
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region }));
    try {
      for (let i = 0; i < ids.length; i += 50) {
        await Promise.all(
          ids.slice(i, i + 50).map((id) =>
            doc.send(
              new UpdateCommand({
                TableName: table,
                Key: { pk: progressTable.jobPk(jobId), sk: progressTable.taskSk(id) },
                UpdateExpression: 'SET taskId = :t, filler = :p',
                ExpressionAttributeValues: { ':t': id, ':p': pad },
              }),
            ),
          ),
        );
      }
    } finally {
      doc.destroy();
    }
    expect((await progress.listTasks(jobId)).map((t) => t.taskId)).to.deep.equal(ids);
  });
});
