// Job and task progress in the DynamoDB progress table. Arguments that break its rules are bugs of the
// caller (handlers validate their events first), so they throw InternalError, never InvalidInput.
//
// Every write is a single-item conditional update (dynalite, our local DynamoDB, has no
// transactions), designed so that progress never goes backwards and a retried task counts once:
// - A job item (sk "JOB") holds status, step, totalUnits and timestamps. SUCCEEDED is terminal:
//   nothing moves it back to RUNNING or FAILED.
// - A task item (sk "TASK#<id>") is marked done with `attribute_not_exists(doneAt)`.
// - Done units are counted in the job's counter items (sk "COUNT#<nnnn>", progress-counters.ts): the
//   write that adds a task's units to its counter also adds the task's digest to the counter's
//   `countedTasks` set, on condition that the set does not hold it yet. So a retried write (the SDK's
//   own retry after a lost response, or a task retried after a crash between the two writes) counts
//   once, and every call that finds the task done makes sure it is counted. Spreading the sets over
//   1024 items keeps each far below DynamoDB's 400 KB item limit (a job counts up to ~18 million
//   tasks), and the count writes of a big job off one hot item. getJob reads the job item and sums
//   doneUnits over the counters.
// - Named figures (rows read so far...) are added by addJobFigures the same way, once per contribution
//   id: its digest and its figures go into one counter in one write. getJob sums each figure over the
//   counters' `figures` maps.
// - finishJob(SUCCEEDED) first repairs a job whose task never came back (done, never counted): it adds
//   each such task to its counter, on condition that the counter did not change since it was read.
// - Every write sets `expiresAt` (the table's TTL attribute) to PROGRESS_RETENTION_SECONDS later.
import { DynamoDBClient, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type GetCommandInput,
  type QueryCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { readRegion, readTable } from './config';
import { InternalError, TransientError } from './errors';
import { cachedClient } from './client-cache';
import { forEachLimit } from './for-each-limit';
import { enforceTableAccess, readLocalAccess } from './local-access';
import { countDynamoDbUnits } from './request-counts';
import {
  COUNTER_CAPACITY,
  COUNTER_SHARDS,
  COUNTER_SK_PREFIX,
  FIGURE_NAME,
  MAX_FIGURES,
  MAX_TASKS_PER_JOB,
  contributionCounterOf,
  counterOf,
  groupByCounter,
  isItemTooLarge,
} from './progress-counters';
import { ENV, JOB_ID_PATTERN, PROGRESS_RETENTION_SECONDS, progressTable } from './storage-layout';
import { withTransient } from './transient';

export type JobStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export type TaskStatus = 'RUNNING' | 'FAILED' | 'SUCCEEDED';

export interface JobRecord {
  jobId: string;
  status: JobStatus;
  step: string;
  doneUnits: number;
  totalUnits: number;
  /** ISO-8601 timestamps. */
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
  cause?: string;
  /** Named figures summed over every contribution counted (addJobFigures); {} when none. */
  figures: Record<string, number>;
}

/** Named counts a contribution adds to its job: `{ rowsIn: 2000, rowsRejected: 3 }`. */
export type JobFigures = Readonly<Record<string, number>>;

export interface TaskRecord {
  jobId: string;
  taskId: string;
  status: TaskStatus;
  /** Times the task was started, retries included. */
  attempts: number;
  startedAt?: string;
  doneAt?: string;
  durationMs?: number;
  units?: number;
  /** The last failed attempt's error name and message (kept after a later success, for the record). */
  lastError?: string;
  lastCause?: string;
}

export interface TableOption {
  /** Defaults to the progress table from the environment (LONGHAUL_TABLE). */
  table?: string;
  /** Defaults to a client for the environment's endpoint and region: tools reading another target pass theirs. */
  client?: DynamoDBClient;
}

const docClient = cachedClient(ENV.dynamoEndpoint, (endpoint) => {
  const base = new DynamoDBClient({ region: readRegion(), endpoint });
  const grant = readLocalAccess();
  if (grant) enforceTableAccess(base, grant);
  countDynamoDbUnits(base);
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
});

const documentClients = new WeakMap<DynamoDBClient, DynamoDBDocumentClient>();

function clientOf(opts?: TableOption): DynamoDBDocumentClient {
  const base = opts?.client;
  if (!base) return docClient();
  let client = documentClients.get(base);
  if (!client) {
    client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
    documentClients.set(base, client);
  }
  return client;
}

function tableOf(opts?: TableOption): string {
  return opts?.table ?? readTable();
}

function checkJobId(jobId: string): void {
  if (!JOB_ID_PATTERN.test(jobId)) throw new InternalError(`Invalid jobId ${JSON.stringify(jobId)}`, { field: 'jobId' });
}

function checkTaskId(taskId: string, field = 'taskId'): void {
  if (typeof taskId !== 'string' || taskId.length === 0 || taskId.length > 512) {
    throw new InternalError(`Invalid ${field} ${JSON.stringify(taskId)}: must be 1-512 characters`, { field });
  }
}

function checkFigures(figures: JobFigures): void {
  const entries = Object.entries(figures);
  if (entries.length > MAX_FIGURES) throw new InternalError(`Too many figures (${entries.length}): at most ${MAX_FIGURES}`, { field: 'figures' });
  for (const [name, value] of entries) {
    if (!FIGURE_NAME.test(name)) throw new InternalError(`Invalid figure name ${JSON.stringify(name)}: must match ${FIGURE_NAME}`, { field: 'figures' });
    checkCount(value, `figures.${name}`);
  }
}

function checkCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InternalError(`Invalid ${field} ${value}: must be a non-negative integer`, { field });
  }
}

const jobKey = (jobId: string) => ({
  [progressTable.partitionKey.name]: progressTable.jobPk(jobId),
  [progressTable.sortKey.name]: progressTable.jobSk,
});

const taskKey = (jobId: string, taskId: string) => ({
  [progressTable.partitionKey.name]: progressTable.jobPk(jobId),
  [progressTable.sortKey.name]: progressTable.taskSk(taskId),
});

const counterKey = (jobId: string, sk: string) => ({
  [progressTable.partitionKey.name]: progressTable.jobPk(jobId),
  [progressTable.sortKey.name]: sk,
});

const now = () => new Date().toISOString();

/** The TTL value every write sets: items expire PROGRESS_RETENTION_SECONDS after their last update. */
const expiry = () => Math.floor(Date.now() / 1000) + PROGRESS_RETENTION_SECONDS;
const TTL_SET = `${progressTable.ttlAttribute} = :expiresAt`;

// Every call goes through here so throttling, 5xx and network failures surface as TransientError.
function sendUpdate(input: UpdateCommandInput, opts?: TableOption) {
  const what = `UpdateItem ${String(input.Key?.[progressTable.partitionKey.name])} ${String(input.Key?.[progressTable.sortKey.name])}`;
  return withTransient(what, () => clientOf(opts).send(new UpdateCommand(input)));
}

function get(input: GetCommandInput, opts?: TableOption) {
  const what = `GetItem ${String(input.Key?.[progressTable.partitionKey.name])} ${String(input.Key?.[progressTable.sortKey.name])}`;
  return withTransient(what, () => clientOf(opts).send(new GetCommand(input)));
}

/** Every item of the job whose sort key starts with `skPrefix`, across pages, read consistently. */
async function queryJob<T = Record<string, unknown>>(
  jobId: string,
  skPrefix: string,
  extra: Pick<QueryCommandInput, 'ProjectionExpression'>,
  opts?: TableOption,
): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const input: QueryCommandInput = {
      TableName: tableOf(opts),
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': progressTable.partitionKey.name, '#sk': progressTable.sortKey.name },
      ExpressionAttributeValues: { ':pk': progressTable.jobPk(jobId), ':prefix': skPrefix },
      ExclusiveStartKey: start,
      ConsistentRead: true,
      ...extra,
    };
    const out = await withTransient(`Query ${skPrefix}* of ${jobId}`, () => clientOf(opts).send(new QueryCommand(input)));
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Runs a conditional update (setting the TTL too); returns false when the condition did not hold. */
async function conditionalUpdate(input: Omit<UpdateCommandInput, 'TableName'>, opts?: TableOption): Promise<boolean> {
  try {
    await sendUpdate({ TableName: tableOf(opts), ...withExpiry(input) }, opts);
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') {
      return false;
    }
    throw err;
  }
}

/** Adds `expiresAt = :expiresAt` to the update's SET clause. */
function withExpiry<T extends Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeValues'>>(input: T): T {
  const expr = input.UpdateExpression ?? '';
  const updated = /^\s*SET\s/i.test(expr) ? expr.replace(/^\s*SET\s/i, `SET ${TTL_SET}, `) : `SET ${TTL_SET} ${expr}`;
  return { ...input, UpdateExpression: updated, ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':expiresAt': expiry() } };
}

/**
 * Creates the job, or restarts it (a re-run after FAILED, or a repeated start) keeping its counts
 * and startedAt. A SUCCEEDED job is left untouched. totalUnits is only set when the job has none:
 * use setJobTotal to change it.
 */
export async function startJob(jobId: string, init: { step: string; totalUnits: number }, opts?: TableOption): Promise<void> {
  checkJobId(jobId);
  checkCount(init.totalUnits, 'totalUnits');
  const t = now();
  await conditionalUpdate(
    {
      Key: jobKey(jobId),
      UpdateExpression:
        'SET jobId = :jobId, #status = :running, step = :step, totalUnits = if_not_exists(totalUnits, :total), ' +
        'startedAt = if_not_exists(startedAt, :now), updatedAt = :now ' +
        'REMOVE finishedAt, #error, #cause',
      ConditionExpression: 'attribute_not_exists(#pk) OR #status <> :succeeded',
      ExpressionAttributeNames: { '#pk': progressTable.partitionKey.name, '#status': 'status', '#error': 'error', '#cause': 'cause' },
      ExpressionAttributeValues: {
        ':jobId': jobId,
        ':running': 'RUNNING',
        ':succeeded': 'SUCCEEDED',
        ':step': init.step,
        ':total': init.totalUnits,
        ':now': t,
      },
    },
    opts,
  );
}

// Updates a RUNNING job; a finished job ignores late updates, a missing one is a caller bug.
async function updateRunningJob(jobId: string, set: string, values: Record<string, unknown>, opts?: TableOption): Promise<void> {
  const ok = await conditionalUpdate(
    {
      Key: jobKey(jobId),
      UpdateExpression: `SET ${set}, updatedAt = :now`,
      ConditionExpression: 'attribute_exists(#pk) AND #status = :running',
      ExpressionAttributeNames: { '#pk': progressTable.partitionKey.name, '#status': 'status' },
      ExpressionAttributeValues: { ...values, ':running': 'RUNNING', ':now': now() },
    },
    opts,
  );
  if (!ok && !(await getJob(jobId, opts))) {
    throw new InternalError(`Job ${jobId} has no progress record: call startJob first`, { field: 'jobId', jobId });
  }
}

export async function setJobStep(jobId: string, step: string, opts?: TableOption): Promise<void> {
  checkJobId(jobId);
  await updateRunningJob(jobId, 'step = :step', { ':step': step }, opts);
}

export async function setJobTotal(jobId: string, totalUnits: number, opts?: TableOption): Promise<void> {
  checkJobId(jobId);
  checkCount(totalUnits, 'totalUnits');
  await updateRunningJob(jobId, 'totalUnits = :total', { ':total': totalUnits }, opts);
}

/** Counts an attempt. A task already done stays done (a late or repeated start only adds an attempt). */
export async function recordTaskStart(jobId: string, taskId: string, opts?: TableOption): Promise<void> {
  checkJobId(jobId);
  checkTaskId(taskId);
  const t = now();
  const base = {
    Key: taskKey(jobId, taskId),
    ExpressionAttributeNames: { '#status': 'status' },
  };
  const started = await conditionalUpdate(
    {
      ...base,
      UpdateExpression:
        'SET jobId = :jobId, taskId = :taskId, #status = :running, startedAt = :now ADD attempts :one',
      ConditionExpression: 'attribute_not_exists(doneAt)',
      ExpressionAttributeValues: { ':jobId': jobId, ':taskId': taskId, ':running': 'RUNNING', ':now': t, ':one': 1 },
    },
    opts,
  );
  if (!started) {
    await sendUpdate({
      TableName: tableOf(opts),
      ...withExpiry({ Key: taskKey(jobId, taskId), UpdateExpression: 'ADD attempts :one', ExpressionAttributeValues: { ':one': 1 } }),
    }, opts);
  }
}

/**
 * Marks the task done and adds its units to the job, exactly once however often it is called (and
 * whatever responses are lost). Returns whether this call's job write added the units; false when
 * they were already counted (by an earlier call, or by this call's own write whose response was lost).
 */
export async function recordTaskDone(
  jobId: string,
  taskId: string,
  done: { durationMs: number; units?: number },
  opts?: TableOption,
): Promise<boolean> {
  checkJobId(jobId);
  checkTaskId(taskId);
  const units = done.units ?? 1;
  checkCount(units, 'units');
  if (!Number.isFinite(done.durationMs) || done.durationMs < 0) {
    throw new InternalError(`Invalid durationMs ${done.durationMs}: must be a non-negative number`, { field: 'durationMs' });
  }
  const t = now();
  const markedDone = await conditionalUpdate(
    {
      Key: taskKey(jobId, taskId),
      UpdateExpression:
        'SET jobId = :jobId, taskId = :taskId, #status = :succeeded, doneAt = :now, durationMs = :duration, ' +
        'units = :units, attempts = if_not_exists(attempts, :one)',
      ConditionExpression: 'attribute_not_exists(doneAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':jobId': jobId,
        ':taskId': taskId,
        ':succeeded': 'SUCCEEDED',
        ':now': t,
        ':duration': Math.round(done.durationMs),
        ':units': units,
        ':one': 1,
      },
    },
    opts,
  );
  // Not marked by this call: the task was done before, or this call's own write landed and its
  // response was lost. Either way it is done; count the units it was recorded with.
  const counted = markedDone ? units : await recordedUnits(jobId, taskId, units, opts);
  // Guarded only by the task's membership in its counter's set: if the job's start record is missing
  // (out of order, or never written) the count still lands, and getJob shows it.
  const { sk, member } = counterOf(taskId);
  return addToCounter(jobId, sk, { units: counted, members: [member] }, notCounted(member), opts);
}

/**
 * Adds named figures to the job (getJob's `figures`), exactly once per contribution id however often it
 * is called (and whatever responses are lost). Returns whether this call added them; false when they
 * were counted before (by an earlier call, or by this call's own write whose response was lost).
 */
export async function addJobFigures(jobId: string, contributionId: string, figures: JobFigures, opts?: TableOption): Promise<boolean> {
  checkJobId(jobId);
  checkTaskId(contributionId, 'contributionId');
  checkFigures(figures);
  const { sk, member } = contributionCounterOf(contributionId);
  return addToCounter(jobId, sk, { units: 0, members: [member], figures }, notCounted(member), opts);
}

const notCounted = (member: string) => ({
  condition: 'attribute_not_exists(countedTasks) OR NOT contains(countedTasks, :member)',
  values: { ':member': member },
});

/**
 * Adds units, figures and members to a counter item (created on first use) if `guard` holds. Refuses,
 * with InternalError, a write that would take the counter past DynamoDB's item limit.
 */
async function addToCounter(
  jobId: string,
  sk: string,
  add: { units: number; members: string[]; figures?: JobFigures },
  guard: { condition: string; values: Record<string, unknown> },
  opts?: TableOption,
): Promise<boolean> {
  // ADD works on top-level attributes only: figures are SET into the counter's map, which must exist.
  const figures = Object.entries(add.figures ?? {});
  const input: Omit<UpdateCommandInput, 'TableName'> = {
    Key: counterKey(jobId, sk),
    UpdateExpression:
      `SET updatedAt = :now${figures.map((_, i) => `, figures.#f${i} = if_not_exists(figures.#f${i}, :zero) + :f${i}`).join('')} ` +
      'ADD doneUnits :units, countedTasks :members',
    ConditionExpression: guard.condition,
    ExpressionAttributeValues: {
      ...guard.values,
      ...Object.fromEntries(figures.map(([, value], i) => [`:f${i}`, value])),
      ...(figures.length > 0 ? { ':zero': 0 } : {}),
      ':now': now(),
      ':units': add.units,
      ':members': new Set(add.members),
    },
    ...(figures.length > 0 ? { ExpressionAttributeNames: Object.fromEntries(figures.map(([name], i) => [`#f${i}`, name])) } : {}),
  };
  try {
    try {
      return await conditionalUpdate(input, opts);
    } catch (err) {
      if (figures.length === 0 || !isMissingDocumentPath(err)) throw err;
      // The counter's first figures: create its map (a no-op if a concurrent write just did), then add.
      await conditionalUpdate({ Key: counterKey(jobId, sk), UpdateExpression: 'SET figures = if_not_exists(figures, :empty)', ExpressionAttributeValues: { ':empty': {} } }, opts);
      return await conditionalUpdate(input, opts);
    }
  } catch (err) {
    if (!isItemTooLarge(err)) throw err;
    throw new InternalError(
      `Job ${jobId} has more tasks than the progress table can count: its counter ${sk} is full ` +
        `(${COUNTER_CAPACITY} tasks in 400 KB; ${COUNTER_SHARDS} counters, about ${Math.round(MAX_TASKS_PER_JOB / 1e6)} million tasks a job)`,
      { field: 'taskId', jobId },
      { cause: err },
    );
  }
}

function isMissingDocumentPath(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown } | null;
  return e?.name === 'ValidationException' && typeof e.message === 'string' && /document path provided in the update expression is invalid/i.test(e.message);
}

async function recordedUnits(jobId: string, taskId: string, fallback: number, opts?: TableOption): Promise<number> {
  const out = await get({ TableName: tableOf(opts), Key: taskKey(jobId, taskId), ConsistentRead: true }, opts);
  const units = (out.Item as TaskRecord | undefined)?.units;
  return typeof units === 'number' ? units : fallback;
}

/**
 * Records a failed attempt (the ASL may still retry it). A task already done stays SUCCEEDED:
 * a late failure report from a duplicate attempt must not hide a success.
 */
export async function recordTaskError(
  jobId: string,
  taskId: string,
  failure: { error: string; cause?: string },
  opts?: TableOption,
): Promise<void> {
  checkJobId(jobId);
  checkTaskId(taskId);
  await conditionalUpdate(
    {
      Key: taskKey(jobId, taskId),
      UpdateExpression:
        'SET jobId = :jobId, taskId = :taskId, #status = :failed, lastError = :error, lastCause = :cause, ' +
        'failedAt = :now, attempts = if_not_exists(attempts, :one)',
      ConditionExpression: 'attribute_not_exists(doneAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':jobId': jobId,
        ':taskId': taskId,
        ':failed': 'FAILED',
        ':error': failure.error,
        ':cause': failure.cause ?? '',
        ':now': now(),
        ':one': 1,
      },
    },
    opts,
  );
}

/** What the repair read of a counter item: its doneUnits (undefined before its first count) and set. */
interface CounterState {
  doneUnits?: number;
  counted: ReadonlySet<string>;
}

function counterState(item: Record<string, unknown> | undefined): CounterState {
  return { doneUnits: item?.doneUnits as number | undefined, counted: (item?.countedTasks as Set<string> | undefined) ?? new Set() };
}

/** Attempts per counter before the repair gives up on one that keeps changing (the job's retry resumes it). */
const REPAIR_ATTEMPTS = 20;

/**
 * Counts every done task its counter does not hold (a crash between a task's two writes, with no
 * retry after it). Each counter's write adds exactly its missing tasks, on condition that its
 * doneUnits is still the value read: a count landing in between (doneUnits only grows, and a task
 * that adds 0 units changes nothing when added twice) sends the repair back to read it again.
 */
async function repairCounts(jobId: string, opts?: TableOption): Promise<void> {
  const tasks = await queryJob<TaskRecord>(jobId, progressTable.taskSk(''), { ProjectionExpression: 'taskId, units, doneAt' }, opts);
  const done = tasks.filter((task) => task.doneAt);
  if (done.length === 0) return;
  const counters = new Map((await queryJob(jobId, COUNTER_SK_PREFIX, {}, opts)).map((item) => [String(item[progressTable.sortKey.name]), counterState(item)]));
  await forEachLimit([...groupByCounter(done)], 16, async ([sk, tasks]) => {
    let counter = counters.get(sk) ?? counterState(undefined);
    for (let attempt = 0; attempt < REPAIR_ATTEMPTS; attempt++) {
      const missing = tasks.filter((task) => !counter.counted.has(task.member));
      if (missing.length === 0) return;
      const guard =
        counter.doneUnits === undefined
          ? { condition: 'attribute_not_exists(doneUnits)', values: {} }
          : { condition: 'doneUnits = :seen', values: { ':seen': counter.doneUnits } };
      const add = { units: missing.reduce((sum, task) => sum + task.units, 0), members: missing.map((task) => task.member) };
      if (await addToCounter(jobId, sk, add, guard, opts)) return;
      const out = await get({ TableName: tableOf(opts), Key: counterKey(jobId, sk), ConsistentRead: true }, opts);
      counter = counterState(out.Item);
    }
    throw new TransientError(`Counter ${sk} of job ${jobId} kept changing while finishJob repaired it`, { jobId });
  });
}

/**
 * Ends the job. SUCCEEDED is final (later calls of any kind leave it alone); FAILED records error
 * and cause and may be followed by a restart. A job with no record yet (it failed before its first
 * step) gets one, so every failure is visible.
 */
export async function finishJob(
  jobId: string,
  end: { status: 'SUCCEEDED' | 'FAILED'; error?: string; cause?: string },
  opts?: TableOption,
): Promise<void> {
  checkJobId(jobId);
  if (end.status !== 'SUCCEEDED' && end.status !== 'FAILED') {
    throw new InternalError(`Invalid status ${JSON.stringify(end.status)}: must be SUCCEEDED or FAILED`, { field: 'status' });
  }
  if (end.status === 'SUCCEEDED') {
    // Repaired before the job is marked SUCCEEDED (which is final), so a retry of a finishJob that
    // failed half-way repairs again; the repair is exact, so repeating it changes nothing.
    const current = await get({
      TableName: tableOf(opts),
      Key: jobKey(jobId),
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }, opts);
    if ((current.Item as JobRecord | undefined)?.status === 'SUCCEEDED') return;
    await repairCounts(jobId, opts);
  }
  const t = now();
  const names: Record<string, string> = { '#pk': progressTable.partitionKey.name, '#status': 'status', '#error': 'error', '#cause': 'cause' };
  const values: Record<string, unknown> = {
    ':jobId': jobId,
    ':status': end.status,
    ':succeeded': 'SUCCEEDED',
    ':now': t,
    ':zero': 0,
    ':unknown': 'unknown',
  };
  let update =
    'SET jobId = :jobId, #status = :status, finishedAt = :now, updatedAt = :now, startedAt = if_not_exists(startedAt, :now), ' +
    'totalUnits = if_not_exists(totalUnits, :zero), step = if_not_exists(step, :unknown)';
  if (end.status === 'FAILED') {
    update += ', #error = :error, #cause = :cause';
    values[':error'] = end.error ?? 'Error';
    values[':cause'] = end.cause ?? '';
  } else {
    update += ' REMOVE #error, #cause';
  }
  await conditionalUpdate(
    {
      Key: jobKey(jobId),
      UpdateExpression: update,
      ConditionExpression: 'attribute_not_exists(#pk) OR #status <> :succeeded',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
    opts,
  );
}

/**
 * The job as its item records it, with doneUnits summed over its counters and updatedAt the latest
 * of its writes. A job whose tasks were counted before its start record was written reads as RUNNING
 * at step "unknown", started at its earliest counter's last count.
 */
export async function getJob(jobId: string, opts?: TableOption): Promise<JobRecord | undefined> {
  checkJobId(jobId);
  const [out, counters] = await Promise.all([
    get({ TableName: tableOf(opts), Key: jobKey(jobId), ConsistentRead: true }, opts),
    // The counters' sets are bookkeeping: leave them on the server.
    queryJob(jobId, COUNTER_SK_PREFIX, { ProjectionExpression: 'doneUnits, updatedAt, figures' }, opts),
  ]);
  if (!out.Item && counters.length === 0) return undefined;
  const counted = counters.reduce((sum, c) => sum + Number(c.doneUnits ?? 0), 0);
  const figures: Record<string, number> = {};
  for (const counter of counters) {
    for (const [name, value] of Object.entries((counter.figures as Record<string, number> | undefined) ?? {})) figures[name] = (figures[name] ?? 0) + Number(value);
  }
  const countedAt = counters.map((c) => c.updatedAt).filter((x): x is string => typeof x === 'string').sort();
  const item = out.Item ?? { jobId, status: 'RUNNING', step: 'unknown', startedAt: countedAt[0] };
  // countedTasks is bookkeeping (a Set, which JSON would render as {}), not part of the record; a job
  // item counted by the earlier single-item layout still holds its own doneUnits.
  const { [progressTable.partitionKey.name]: _pk, [progressTable.sortKey.name]: _sk, countedTasks: _counted, ...rest } = item;
  const updatedAt = [rest.updatedAt, countedAt.at(-1)].filter((x): x is string => typeof x === 'string').sort().at(-1);
  // A job counted before its start record was written has no total yet.
  return { totalUnits: 0, ...rest, doneUnits: Number(rest.doneUnits ?? 0) + counted, updatedAt, figures } as JobRecord;
}

/** All task records of the job, in taskId order. */
export async function listTasks(jobId: string, opts?: TableOption): Promise<TaskRecord[]> {
  checkJobId(jobId);
  const items = await queryJob<TaskRecord & Record<string, unknown>>(jobId, progressTable.taskSk(''), {}, opts);
  return items.map(({ [progressTable.partitionKey.name]: _pk, [progressTable.sortKey.name]: _sk, ...rest }) => rest as TaskRecord);
}
