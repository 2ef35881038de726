import { expect } from 'chai';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, QueryCommand as RawQueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
  type BatchWriteCommandOutput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import * as progress from '../../../handlers/lib/progress';
import { COUNTER_SHARDS, contributionCounterOf, counterOf } from '../../../handlers/lib/progress-counters';
import { forEachLimit } from '../../../handlers/lib/for-each-limit';
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
  const proxy = await interceptingProxy(target, marker, { loseResponse: true });
  return { ...proxy, dropped: proxy.fired };
}

/**
 * A TCP proxy to DynamoDB that holds the first request containing `marker` until `before` has run
 * (another writer getting in first), then lets it through.
 */
function delayingProxy(target: string, marker: string, before: () => Promise<void>): Promise<{ endpoint: string; fired: () => boolean; close: () => void }> {
  return interceptingProxy(target, marker, { before });
}

async function interceptingProxy(
  target: string,
  marker: string,
  fault: { loseResponse?: boolean; before?: () => Promise<void> },
): Promise<{ endpoint: string; fired: () => boolean; close: () => void }> {
  const { hostname, port } = new URL(target);
  let dropped = false;
  let held = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let sawMarker = false;
    let forwarding = Promise.resolve();
    client.on('data', (d) => {
      const hit = d.toString().includes(marker);
      if (hit) sawMarker = true;
      const hold = hit && fault.before && !held;
      if (hold) held = true;
      forwarding = forwarding.then(async () => {
        if (hold) await fault.before!();
        upstream.write(d);
      });
    });
    upstream.on('data', (d) => {
      if (fault.loseResponse && sawMarker && !dropped) {
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
    fired: () => dropped || held,
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

/** DynamoDB's item size rule, computed here independently: attribute names plus values in UTF-8 bytes (a number at most 21). */
function dynamoItemBytes(item: Record<string, AttributeValue>): number {
  const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
  return Object.entries(item).reduce((sum, [name, value]) => {
    if (value.S !== undefined) return sum + utf8(name) + utf8(value.S);
    if (value.N !== undefined) return sum + utf8(name) + 21;
    if (value.SS !== undefined) return sum + utf8(name) + value.SS.reduce((bytes, member) => bytes + utf8(member), 0);
    throw new Error(`dynamoItemBytes: unexpected type of ${name}: ${Object.keys(value).join()}`);
  }, 0);
}

const ITEM_LIMIT = 400 * 1024;

/** The first id `<prefix>-<n>` that `of` (counterOf, contributionCounterOf) puts in the counter `sk`. */
function idInCounter(prefix: string, sk: string, of: (id: string) => { sk: string }): string {
  for (let i = 0; ; i++) if (of(`${prefix}-${i}`).sk === sk) return `${prefix}-${i}`;
}

/** `count` task ids (or contribution ids, with `of`) that progress.ts counts in the same counter item. */
function idsSharingACounter(count: number, prefix: string, of: (id: string) => { sk: string } = counterOf): string[] {
  const bySk = new Map<string, string[]>();
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`;
    const ids = bySk.get(of(id).sk) ?? [];
    ids.push(id);
    bySk.set(of(id).sk, ids);
    if (ids.length === count) return ids;
  }
}

describe('handlers/lib/progress (against dynalite)', () => {
  const services = useLocalServices();
  let n = 0;
  const newJob = () => `job-${++n}`;

  let rawClient: DynamoDBDocumentClient | undefined;
  after(() => rawClient?.destroy());

  /** Runs `fn` with a DynamoDB client of the test's own, to read and write items behind progress.ts's back. */
  function withRawClient<T>(fn: (doc: DynamoDBDocumentClient, table: string) => Promise<T>): Promise<T> {
    const { endpoints, region, table } = services();
    rawClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region }));
    return fn(rawClient, table);
  }

  /** Updates an item of the job behind progress.ts's back. */
  async function updateRawItem(
    jobId: string,
    sk: string,
    update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<void> {
    const Key = { pk: progressTable.jobPk(jobId), sk };
    await withRawClient((doc, table) => doc.send(new UpdateCommand({ TableName: table, Key, ...update })));
  }

  /** What a crash between the task write and the job write leaves: the task done, its units never added to the job. */
  async function markDoneUncounted(jobId: string, taskId: string, units: number): Promise<void> {
    await updateRawItem(jobId, progressTable.taskSk(taskId), {
      UpdateExpression: 'SET jobId = :j, taskId = :t, #s = :s, doneAt = :now, units = :u, attempts = :one',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':j': jobId, ':t': taskId, ':s': 'SUCCEEDED', ':now': new Date().toISOString(), ':u': units, ':one': 1 },
    });
  }

  /** A raw item of the job, read consistently. */
  function readItem(jobId: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const Key = { pk: progressTable.jobPk(jobId), sk };
    return withRawClient(async (doc, table) => (await doc.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }))).Item);
  }

  /** Pushes each item's TTL back, runs its write, and checks the write set `expiresAt` to PROGRESS_RETENTION_SECONDS from now. */
  async function expectTtlSetByEachWrite(jobId: string, cases: [string, () => Promise<unknown>][]): Promise<void> {
    const inRetention = (value: number | undefined, from: number, to: number) =>
      expect(value).to.be.a('number').within(from + PROGRESS_RETENTION_SECONDS, to + PROGRESS_RETENTION_SECONDS);
    const nowS = () => Math.floor(Date.now() / 1000);
    for (const [sk, write] of cases) {
      // Pushed back first so each write must set it itself.
      await updateRawItem(jobId, sk, { UpdateExpression: 'SET expiresAt = :old', ExpressionAttributeValues: { ':old': 1 } });
      const from = nowS();
      await write();
      inRetention((await readItem(jobId, sk))?.[progressTable.ttlAttribute] as number | undefined, from, nowS());
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
    await expectTtlSetByEachWrite(jobId, [
      ['JOB', () => progress.startJob(jobId, { step: 's', totalUnits: 2 })],
      ['JOB', () => progress.setJobStep(jobId, 't')],
      ['TASK#a', () => progress.recordTaskStart(jobId, 'a')],
      ['TASK#a', () => progress.recordTaskError(jobId, 'a', { error: 'E' })],
      ['TASK#a', () => progress.recordTaskDone(jobId, 'a', { durationMs: 1 })],
      ['TASK#a', () => progress.recordTaskStart(jobId, 'a')], // the attempts-only path
      ['JOB', () => progress.finishJob(jobId, { status: 'SUCCEEDED' })],
    ]);
    expect(PROGRESS_RETENTION_SECONDS).to.equal(90 * 24 * 3600);
  });

  it('sets the TTL attribute on counter items, when a task counts and when finishJob repairs', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 's', totalUnits: 2 });
    const [counted, repaired] = ['b', 'c'].map((id) => counterOf(id).sk);
    expect(counted).to.not.equal(repaired);
    await expectTtlSetByEachWrite(jobId, [
      [counted!, () => progress.recordTaskDone(jobId, 'b', { durationMs: 1 })],
      [
        repaired!,
        async () => {
          await markDoneUncounted(jobId, 'c', 1);
          await progress.finishJob(jobId, { status: 'SUCCEEDED' });
        },
      ],
    ]);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(2);
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
    const update = (id: string) => ({ UpdateExpression: 'SET taskId = :t, filler = :p', ExpressionAttributeValues: { ':t': id, ':p': pad } });
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => updateRawItem(jobId, progressTable.taskSk(id), update(id))));
    }
    expect((await progress.listTasks(jobId)).map((t) => t.taskId)).to.deep.equal(ids);
  });

  it("counts a task once when its counter write's response is lost, in a counter that counts other tasks too", async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'transcode', totalUnits: 5 });
    const [first, second] = idsSharingACounter(2, 'chunk');
    await progress.recordTaskDone(jobId, first!, { durationMs: 5, units: 2 });
    const proxy = await lossyProxy(services().endpoints.dynamodb, 'ADD doneUnits');
    try {
      await viaEndpoint(proxy.endpoint, () => progress.recordTaskDone(jobId, second!, { durationMs: 5, units: 3 }));
    } finally {
      proxy.close();
    }
    expect(proxy.dropped()).to.equal(true);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(5);
    // The counter holds both tasks once; the job item holds no count of its own.
    const { sk, member } = counterOf(second!);
    const counter = await readItem(jobId, sk);
    expect(counter).to.include({ doneUnits: 5 });
    expect([...(counter!.countedTasks as Set<string>)].sort()).to.deep.equal([counterOf(first!).member, member].sort());
    expect(await readItem(jobId, 'JOB')).to.not.have.any.keys('doneUnits', 'countedTasks');
  });

  it('repairs, at finishJob, every task left done but uncounted, across counters', async () => {
    const jobId = newJob();
    const ids = Array.from({ length: 120 }, (_, i) => `part-${i}`);
    const units = (i: number) => i % 4; // tasks of 0 units included
    await progress.startJob(jobId, { step: 'transform', totalUnits: ids.length });
    // One counter is sure to hold both counted and uncounted tasks.
    const mixed = idsSharingACounter(3, 'mixed');
    const uncounted = new Set([...ids.filter((_, i) => i % 3 === 0), mixed[0]!, mixed[2]!]);
    const all = [...ids, ...mixed];
    const unitsOf = new Map(all.map((id, i) => [id, units(i)]));
    await forEachLimit(all, 16, async (id) => {
      if (uncounted.has(id)) await markDoneUncounted(jobId, id, unitsOf.get(id)!);
      else await progress.recordTaskDone(jobId, id, { durationMs: 1, units: unitsOf.get(id)! });
    });
    const sum = (list: string[]) => list.reduce((total, id) => total + unitsOf.get(id)!, 0);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(sum(all.filter((id) => !uncounted.has(id))));
    expect(sum([...uncounted])).to.be.greaterThan(0);

    await progress.finishJob(jobId, { status: 'SUCCEEDED' });
    expect(await progress.getJob(jobId)).to.include({ status: 'SUCCEEDED', doneUnits: sum(all) });
    // Late retries of repaired and of counted tasks alike count nothing more.
    const late = await Promise.all(all.map((id) => progress.recordTaskDone(jobId, id, { durationMs: 1, units: 9 })));
    expect(late.filter(Boolean)).to.deep.equal([]);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(sum(all));
  });

  it("repairs exactly when a late task's count lands in the counter between the repair's read and its write", async () => {
    const jobId = newJob();
    const [counted, crashed, late] = idsSharingACounter(3, 'race');
    await progress.startJob(jobId, { step: 's', totalUnits: 3 });
    await progress.recordTaskDone(jobId, counted!, { durationMs: 1 });
    await markDoneUncounted(jobId, crashed!, 1);
    // The repair read the counter (1 unit) and is about to add `crashed`; `late` counts first.
    const proxy = await delayingProxy(services().endpoints.dynamodb, 'doneUnits = :seen', async () => {
      expect(await progress.recordTaskDone(jobId, late!, { durationMs: 1 })).to.equal(true);
    });
    try {
      await viaEndpoint(proxy.endpoint, () => progress.finishJob(jobId, { status: 'SUCCEEDED' }));
    } finally {
      proxy.close();
    }
    expect(proxy.fired()).to.equal(true);
    expect(await progress.getJob(jobId)).to.include({ status: 'SUCCEEDED', doneUnits: 3 });
    expect(await progress.recordTaskDone(jobId, crashed!, { durationMs: 1 })).to.equal(false);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(3);
  });

  it('counts 60,000 tasks with 200-character ids exactly, every item staying far below 400 KB', async function () {
    this.timeout(120_000);
    const jobId = newJob();
    const id = (i: number) => `${String(i).padStart(7, '0')}-${'p'.repeat(192)}`;
    expect(id(0)).to.have.length(200);
    // Counted one by one (the normal path): 1,100 tasks that share a counter, as the fullest of the
    // 1024 counters of a million-task job would, and 200 more spread over the others.
    const { sk: fullest } = counterOf(id(0));
    const shared: string[] = [];
    const spread: string[] = [];
    for (let i = 0; shared.length < 1_100 || spread.length < 200; i++) {
      const list = counterOf(id(i)).sk === fullest ? shared : spread;
      if (list.length < (list === shared ? 1_100 : 200)) list.push(id(i));
    }
    const oneByOne = [...shared, ...spread];
    const oneByOneSet = new Set(oneByOne);
    // And as a crash between the task write and the count write leaves them (done, uncounted): the
    // rest, up to 60,000, which finishJob's repair counts, a write per counter. (60,000 calls one by
    // one would take minutes against dynalite on this machine, ~250 tasks a second.)
    const repaired: string[] = [];
    for (let i = 0; repaired.length < 60_000 - oneByOne.length; i++) if (!oneByOneSet.has(id(i))) repaired.push(id(i));
    const all = [...oneByOne, ...repaired];
    const unitsOf = new Map(all.map((taskId, i) => [taskId, (i % 3) + 1]));
    const expected = all.reduce((sum, taskId) => sum + unitsOf.get(taskId)!, 0);

    await progress.startJob(jobId, { step: 'transform', totalUnits: expected });
    await forEachLimit(oneByOne, 32, async (taskId) => {
      expect(await progress.recordTaskDone(jobId, taskId, { durationMs: 1, units: unitsOf.get(taskId)! })).to.equal(true);
    });
    await withRawClient(async (doc, table) => {
      const batches = Array.from({ length: Math.ceil(repaired.length / 25) }, (_, b) => repaired.slice(b * 25, b * 25 + 25));
      await forEachLimit(batches, 8, async (batch) => {
        const doneAt = new Date().toISOString();
        let requests: Record<string, unknown>[] | undefined = batch.map((taskId) => ({
          PutRequest: {
            Item: { pk: progressTable.jobPk(jobId), sk: progressTable.taskSk(taskId), taskId, status: 'SUCCEEDED', doneAt, units: unitsOf.get(taskId) },
          },
        }));
        while (requests?.length) {
          const out: BatchWriteCommandOutput = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = out.UnprocessedItems?.[table];
        }
      });
    });
    await progress.finishJob(jobId, { status: 'SUCCEEDED' });
    expect(await progress.getJob(jobId)).to.include({ status: 'SUCCEEDED', doneUnits: expected });
    // Retries of either kind count nothing more.
    const retries = [...shared.slice(0, 50), ...repaired.slice(0, 50)];
    const retried = await Promise.all(retries.map((taskId) => progress.recordTaskDone(jobId, taskId, { durationMs: 1 })));
    expect(retried.filter(Boolean)).to.deep.equal([]);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(expected);

    // Every item of the job, read raw and measured two ways: DynamoDB's rule, and the length of its
    // JSON (type tags, quotes and all: an upper bound).
    const sizes = new Map<string, { bytes: number; json: number; digests: number }>();
    await withRawClient(async (doc, table) => {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const out = await doc.send(
          new RawQueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: progressTable.jobPk(jobId) } },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) {
          sizes.set(item.sk!.S!, { bytes: dynamoItemBytes(item), json: JSON.stringify(item).length, digests: item.countedTasks?.SS?.length ?? 0 });
        }
        start = out.LastEvaluatedKey;
      } while (start);
    });
    const counters = [...sizes.keys()].filter((sk) => sk.startsWith(progressTable.countSk('')));
    expect(counters).to.have.length(COUNTER_SHARDS);
    expect(sizes.size).to.equal(1 + all.length + COUNTER_SHARDS);
    for (const [sk, size] of sizes) expect(size.bytes, sk).to.be.at.most(size.json);
    // The fullest counter holds 1,100 digests, about 24 KB: a sixteenth of the limit.
    expect(sizes.get(fullest)).to.deep.include({ digests: 1_100 });
    expect(sizes.get(fullest)!.bytes).to.be.within(1_100 * 22, ITEM_LIMIT / 16);
    expect(Math.max(...[...sizes.values()].map((size) => size.json))).to.be.below(ITEM_LIMIT / 8);
  });

  it('adds named figures once per contribution id, summed by getJob apart from the done units', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'transform', totalUnits: 2 });
    expect((await progress.getJob(jobId))!.figures).to.deep.equal({});
    expect(await progress.addJobFigures(jobId, 'partition-00000@seq-0', { rowsIn: 2000, rowsRejected: 3 })).to.equal(true);
    // A retried turn that read further by the time it wrote: the first write of the id stands.
    expect(await progress.addJobFigures(jobId, 'partition-00000@seq-0', { rowsIn: 2500, rowsRejected: 4 })).to.equal(false);
    // Concurrent duplicates: only one of them may win.
    const wins = await Promise.all(Array.from({ length: 5 }, () => progress.addJobFigures(jobId, 'partition-00001@seq-0', { rowsIn: 100, rowsRejected: 0 })));
    expect(wins.filter(Boolean)).to.have.length(1);
    expect(await progress.addJobFigures(jobId, 'partition-00000@seq-1', { rowsIn: 7, rowsRejected: 1 })).to.equal(true);
    expect(await progress.getJob(jobId)).to.deep.include({ doneUnits: 0, figures: { rowsIn: 2107, rowsRejected: 4 } });
    // Units count apart, and a figure only one contribution names is summed alone.
    await progress.recordTaskDone(jobId, 'partition-00000', { durationMs: 1, units: 1 });
    await progress.addJobFigures(jobId, 'other@seq-0', { bytes: 10 });
    expect(await progress.getJob(jobId)).to.deep.include({ doneUnits: 1, figures: { rowsIn: 2107, rowsRejected: 4, bytes: 10 } });
  });

  it('never takes a contribution for a task of the same id, nor a task for a contribution', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 's', totalUnits: 1 });
    expect(await progress.addJobFigures(jobId, 'chunk-0', { rowsIn: 5 })).to.equal(true);
    expect(await progress.recordTaskDone(jobId, 'chunk-0', { durationMs: 1 })).to.equal(true);
    expect(await progress.addJobFigures(jobId, 'chunk-1', { rowsIn: 6 })).to.equal(true);
    expect(await progress.getJob(jobId)).to.deep.include({ doneUnits: 1, figures: { rowsIn: 11 } });
  });

  it("counts a contribution once when its write's response is lost and the SDK resends it, in a counter shared with tasks", async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'transform', totalUnits: 1 });
    const [first, second] = idsSharingACounter(2, 'turn', contributionCounterOf);
    // The counter exists with its figures map (the lost write is then the one that lands) and counts a task.
    await progress.addJobFigures(jobId, first!, { rowsIn: 1 });
    const task = idInCounter('task', contributionCounterOf(first!).sk, counterOf);
    await progress.recordTaskDone(jobId, task, { durationMs: 1, units: 4 });
    const proxy = await lossyProxy(services().endpoints.dynamodb, 'figures.#f0');
    try {
      expect(await viaEndpoint(proxy.endpoint, () => progress.addJobFigures(jobId, second!, { rowsIn: 20, rowsRejected: 2 }))).to.equal(false);
    } finally {
      proxy.close();
    }
    expect(proxy.dropped()).to.equal(true);
    expect(await progress.getJob(jobId)).to.deep.include({ doneUnits: 4, figures: { rowsIn: 21, rowsRejected: 2 } });
    const counter = await readItem(jobId, contributionCounterOf(second!).sk);
    expect(counter).to.deep.include({ doneUnits: 4, figures: { rowsIn: 21, rowsRejected: 2 } });
    expect((counter!.countedTasks as Set<string>).size).to.equal(3);
  });

  it('keeps the figures when finishJob repairs the units of the same counters', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 'transform', totalUnits: 1 });
    const contribution = idInCounter('turn', counterOf('crashed').sk, contributionCounterOf);
    await progress.addJobFigures(jobId, contribution, { rowsIn: 9 });
    await markDoneUncounted(jobId, 'crashed', 1);
    await progress.finishJob(jobId, { status: 'SUCCEEDED' });
    expect(await progress.getJob(jobId)).to.deep.include({ status: 'SUCCEEDED', doneUnits: 1, figures: { rowsIn: 9 } });
  });

  it('refuses bad figures, naming the field', async () => {
    const jobId = newJob();
    const cases: [string, Record<string, number>][] = [
      ['figures.rowsIn', { rowsIn: -1 }],
      ['figures.rowsIn', { rowsIn: 1.5 }],
      ['figures', { 'rows in': 1 }],
      ['figures', Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${i}`, 1]))],
    ];
    for (const [field, figures] of cases) {
      const err = await rejection(progress.addJobFigures(jobId, 'c', figures));
      expect(err, JSON.stringify(figures)).to.be.instanceOf(InternalError).and.deep.include({ details: { field } });
    }
    expect(await rejection(progress.addJobFigures(jobId, '', { rowsIn: 1 }))).to.be.instanceOf(InternalError).and.deep.include({ details: { field: 'contributionId' } });
  });

  it('refuses, naming the limit, a count that would take a counter past 400 KB', async () => {
    const jobId = newJob();
    await progress.startJob(jobId, { step: 's', totalUnits: 1 });
    const ids = idsSharingACounter(20, 'one-too-many');
    const { sk } = counterOf(ids[0]!);
    // The counter filled with digests to within 200 bytes of the limit (by an upper bound of its
    // size): each count adds a 22-byte digest, so one of the next tasks finds it full.
    const base = { pk: { S: progressTable.jobPk(jobId) }, sk: { S: sk }, doneUnits: { N: '1' }, expiresAt: { N: '1' }, countedTasks: { SS: [] } };
    const members = Array.from({ length: Math.floor((ITEM_LIMIT - 200 - dynamoItemBytes(base)) / 22) }, () => randomBytes(16).toString('base64url'));
    await updateRawItem(jobId, sk, {
      UpdateExpression: 'SET doneUnits = :one, expiresAt = :one ADD countedTasks :members',
      ExpressionAttributeValues: { ':one': 1, ':members': new Set(members) },
    });
    let accepted = 0;
    let err: Error | undefined;
    for (const id of ids) {
      err = await progress.recordTaskDone(jobId, id, { durationMs: 1 }).then(() => undefined, (e: Error) => e);
      if (err) break;
      accepted++;
    }
    expect(err).to.be.instanceOf(InternalError);
    expect(err!.message).to.include(jobId).and.include(sk).and.include('400 KB');
    expect(accepted).to.be.below(ids.length);
    expect((await progress.getJob(jobId))!.doneUnits).to.equal(1 + accepted);
  });
});
