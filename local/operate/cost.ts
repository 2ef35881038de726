// What one execution cost at list prices, from its real history and the functions' configuration: Step
// Functions transitions (counted as AWS bills them, see execution-trace.ts), Lambda requests, GB-seconds
// and ephemeral storage over 512 MB per function, and, when the handlers' EMF records are at hand, the
// S3 requests and DynamoDB units they made. Scaled to N jobs for the "per 1,000 jobs" figures.
import type { ExecutionTrace, TransitionCount } from './execution-trace';
import type { FunctionConfig } from './function-configs';
import type { UsageTotals } from './metrics-source';
import type { PriceTable } from './prices';

/** Lambda's free ephemeral storage; only the configured size above it is billed. */
export const FREE_EPHEMERAL_MB = 512;

export interface FunctionCost {
  functionName: string;
  /** Invocations (attempts that started), retries included: each is a billed request. */
  requests: number;
  /** Sum of the attempts' durations in whole milliseconds, as Lambda bills them. */
  billedMs: number;
  memoryMb: number;
  ephemeralStorageMb: number;
  architecture: FunctionConfig['architecture'];
  gbSeconds: number;
  ephemeralGbSeconds: number;
  requestCost: number;
  durationCost: number;
  ephemeralCost: number;
}

export interface CostEstimate {
  executionArn: string;
  name: string;
  stateMachineName: string;
  status: string;
  durationMs: number;
  prices: PriceTable;
  transitions: TransitionCount & { cost: number };
  lambda: {
    functions: FunctionCost[];
    requests: number;
    gbSeconds: number;
    ephemeralGbSeconds: number;
    requestCost: number;
    durationCost: number;
    ephemeralCost: number;
    /** Functions invoked whose configuration Lambda did not give: their duration is not priced. */
    unpriced: string[];
  };
  /** Undefined when no metrics source was given: "not measured". */
  s3?: { putOrList: number; getOrOther: number; free: number; cost: number };
  dynamodb?: { readUnits: number; writeUnits: number; cost: number };
  /** Everything priced above (what is not measured counts as nothing). */
  total: number;
}

export interface CostInput {
  trace: ExecutionTrace;
  /** By function name, as GetFunction reports them. */
  functions: Readonly<Record<string, FunctionConfig>>;
  prices: PriceTable;
  /** The job's EMF usage (metrics-source.ts); undefined when not measured. */
  usage?: UsageTotals;
}

export function estimateCost(input: CostInput): CostEstimate {
  const { trace, functions, prices } = input;
  const readMs = trace.readAt.getTime();
  const byFunction = new Map<string, { requests: number; billedMs: number }>();
  for (const attempt of trace.tasks) {
    if (attempt.functionName === undefined || attempt.startedAt === undefined) continue;
    const ms = Math.max(0, (attempt.endedAt?.getTime() ?? readMs) - attempt.startedAt.getTime());
    const f = byFunction.get(attempt.functionName) ?? { requests: 0, billedMs: 0 };
    f.requests += 1;
    f.billedMs += Math.ceil(ms);
    byFunction.set(attempt.functionName, f);
  }

  const functionCosts: FunctionCost[] = [];
  const unpriced: string[] = [];
  for (const [functionName, used] of [...byFunction].sort(([a], [b]) => a.localeCompare(b))) {
    const config = functions[functionName];
    if (!config) unpriced.push(functionName);
    const memoryMb = config?.memoryMb ?? 0;
    const ephemeralStorageMb = config?.ephemeralStorageMb ?? FREE_EPHEMERAL_MB;
    const architecture = config?.architecture ?? 'x86_64';
    const seconds = used.billedMs / 1000;
    const gbSeconds = (memoryMb / 1024) * seconds;
    const ephemeralGbSeconds = (Math.max(0, ephemeralStorageMb - FREE_EPHEMERAL_MB) / 1024) * seconds;
    functionCosts.push({
      functionName,
      requests: used.requests,
      billedMs: used.billedMs,
      memoryMb,
      ephemeralStorageMb,
      architecture,
      gbSeconds,
      ephemeralGbSeconds,
      requestCost: used.requests * prices.lambda.perRequest,
      durationCost: gbSeconds * prices.lambda.perGbSecond[architecture],
      ephemeralCost: ephemeralGbSeconds * prices.lambda.perEphemeralGbSecond,
    });
  }
  const sum = (pick: (f: FunctionCost) => number) => functionCosts.reduce((s, f) => s + pick(f), 0);
  const lambda = {
    functions: functionCosts,
    requests: sum((f) => f.requests),
    gbSeconds: sum((f) => f.gbSeconds),
    ephemeralGbSeconds: sum((f) => f.ephemeralGbSeconds),
    requestCost: sum((f) => f.requestCost),
    durationCost: sum((f) => f.durationCost),
    ephemeralCost: sum((f) => f.ephemeralCost),
    unpriced,
  };

  const transitions = { ...trace.transitions, cost: trace.transitions.total * prices.stepFunctions.perTransition };
  let s3: CostEstimate['s3'];
  let dynamodb: CostEstimate['dynamodb'];
  if (input.usage) {
    const r = input.usage.s3Requests;
    const putOrList = r.put + r.list;
    const getOrOther = r.get + r.other;
    s3 = { putOrList, getOrOther, free: r.delete, cost: putOrList * prices.s3.perPutOrList + getOrOther * prices.s3.perGetOrOther };
    const { readUnits, writeUnits } = input.usage.dynamodb;
    dynamodb = { readUnits, writeUnits, cost: readUnits * prices.dynamodb.perReadUnit + writeUnits * prices.dynamodb.perWriteUnit };
  }
  const { execution } = trace;
  return {
    executionArn: execution.executionArn,
    name: execution.name,
    stateMachineName: trace.stateMachineName,
    status: execution.status,
    durationMs: (execution.stopDate ?? trace.readAt).getTime() - execution.startDate.getTime(),
    prices,
    transitions,
    lambda,
    ...(s3 ? { s3 } : {}),
    ...(dynamodb ? { dynamodb } : {}),
    total: transitions.cost + lambda.requestCost + lambda.durationCost + lambda.ephemeralCost + (s3?.cost ?? 0) + (dynamodb?.cost ?? 0),
  };
}

/** The estimate as a plain-text table, for this job and for `per` jobs like it. */
export function formatCost(estimate: CostEstimate, per = 1000): string {
  const rows: Array<[string, string, number | undefined]> = [];
  const t = estimate.transitions;
  rows.push(['Step Functions state transitions', count(t.total), t.cost]);
  const l = estimate.lambda;
  rows.push(['Lambda requests', count(l.requests), l.requestCost]);
  rows.push(['Lambda duration (GB-s)', gb(l.gbSeconds), l.durationCost]);
  for (const f of l.functions) {
    rows.push([`  ${f.functionName}`, `${f.requests} × ${f.memoryMb} MB, ${(f.billedMs / 1000).toFixed(3)} s = ${gb(f.gbSeconds)} GB-s`, f.durationCost + f.requestCost]);
  }
  rows.push([`Lambda ephemeral storage over ${FREE_EPHEMERAL_MB} MB (GB-s)`, gb(l.ephemeralGbSeconds), l.ephemeralCost]);
  if (estimate.s3) {
    rows.push(['S3 PUT/COPY/POST/LIST requests', count(estimate.s3.putOrList), estimate.s3.putOrList * estimate.prices.s3.perPutOrList]);
    rows.push(['S3 GET and other requests', count(estimate.s3.getOrOther), estimate.s3.getOrOther * estimate.prices.s3.perGetOrOther]);
  } else {
    rows.push(['S3 requests', 'not measured', undefined]);
  }
  if (estimate.dynamodb) {
    rows.push(['DynamoDB write units', count(estimate.dynamodb.writeUnits), estimate.dynamodb.writeUnits * estimate.prices.dynamodb.perWriteUnit]);
    rows.push(['DynamoDB read units', count(estimate.dynamodb.readUnits), estimate.dynamodb.readUnits * estimate.prices.dynamodb.perReadUnit]);
  } else {
    rows.push(['DynamoDB units', 'not measured', undefined]);
  }
  rows.push(['Total', '', estimate.total]);

  const perLabel = `per ${count(per)} jobs`;
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(8, ...rows.map((r) => r[1].length));
  const w2 = Math.max(8, ...rows.map((r) => (r[2] === undefined ? 0 : usd(r[2]).length)));
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padStart(w2)}  ${d}`.trimEnd();
  const out = [
    `Cost of ${estimate.stateMachineName} / ${estimate.name} (${estimate.status}, ${(estimate.durationMs / 1000).toFixed(1)} s): ${estimate.prices.region} list prices checked ${estimate.prices.checked}`,
    '',
    line('', 'quantity', 'this job', perLabel),
    ...rows.map(([label, quantity, cost]) => line(label, quantity, cost === undefined ? '' : usd(cost), cost === undefined ? '' : usd(cost * per))),
  ];
  out.push('', `Transitions: ${t.stateEntries} states entered, ${t.retries} retries, ${t.mapChildExecutions} Map child executions, ${t.redrives} redrives.`);
  if (l.unpriced.length > 0) out.push(`Not priced (Lambda did not describe them): ${l.unpriced.join(', ')}`);
  if (!estimate.s3) {
    out.push('S3 and DynamoDB are not measured: they come from the handlers\' EMF records (a local serve\'s data dir, or --metrics FILE).');
  }
  out.push('Lambda durations are the tasks\' times in the history (invoke to result), an upper bound of what Lambda bills; free tiers are not deducted.');
  return out.join('\n');
}

function count(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function gb(n: number): string {
  return n === 0 ? '0' : n < 0.01 ? n.toPrecision(2) : n.toFixed(3);
}

/** Dollars with three significant digits however small, never in exponent notation. */
export function usd(amount: number): string {
  if (amount === 0) return '$0';
  if (amount >= 100) return `$${amount.toFixed(2)}`;
  const decimals = Math.min(12, Math.max(2, 2 - Math.floor(Math.log10(Math.abs(amount)))));
  return `$${amount.toFixed(decimals)}`;
}
