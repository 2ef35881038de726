// Warm workers per function, like Lambda's execution environments: reuse an idle one (most recently
// used first, so the others can go cold), start one when none is idle, and keep the total bounded.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FunctionSpec } from '../../handlers/catalog-types';
import type { FunctionCodeLocation } from './function-code';
import type { LogLine } from './types';
import { buildWorkerEnv } from './worker-env';
import { spawnWorker, type LambdaWorker } from './worker-process';

export interface WorkerPoolOptions {
  tmpRoot: string;
  repoRoot: string;
  region: string;
  commonEnv: Record<string, string>;
  /** Idle workers are evicted (oldest first) to keep the number of live processes at or below this. */
  maxWorkers: number;
  arnOf(name: string): string;
  scaledTimeoutMs(spec: FunctionSpec): number;
  onLog(line: LogLine): void;
}

export interface WorkerPool {
  /** An idle warm worker of this function (most recently used first), if there is one. */
  checkoutIdle(functionName: string): LambdaWorker | undefined;
  /** A new cold worker of this function, started from `code`. */
  start(spec: FunctionSpec, code: FunctionCodeLocation): LambdaWorker;
  /** Back to the idle set if still usable; otherwise killed and forgotten. */
  checkin(worker: LambdaWorker, reusable: boolean): void;
  counts(): { live: number; idle: number; started: number };
  /** Kills every worker and waits for them to be gone. */
  closeAll(): Promise<void>;
  /** Synchronous kill of every process group, for process exit. */
  killAllNow(): void;
  /**
   * A worker of this function that died while idle (e.g. a timer threw after the handler returned),
   * not yet reported; each is taken once. Lambda freezes idle environments, so there the crash
   * happens when the next invocation thaws it, and that invocation fails with it.
   */
  takeIdleDeath(functionName: string): LambdaWorker | undefined;
}

export function createWorkerPool(opts: WorkerPoolOptions): WorkerPool {
  const idle = new Map<string, LambdaWorker[]>();
  const lastUsed = new Map<LambdaWorker, number>();
  const live = new Set<LambdaWorker>();
  const idleDeaths = new Map<string, LambdaWorker[]>();
  let started = 0;
  let useClock = 0;

  const noteIdleDeath = (worker: LambdaWorker): void => {
    const deaths = idleDeaths.get(worker.functionName) ?? [];
    deaths.push(worker);
    idleDeaths.set(worker.functionName, deaths);
  };

  const idleOf = (name: string): LambdaWorker[] => {
    let list = idle.get(name);
    if (!list) idle.set(name, (list = []));
    return list;
  };

  const forget = (worker: LambdaWorker): void => {
    live.delete(worker);
    lastUsed.delete(worker);
    const list = idle.get(worker.functionName);
    const at = list?.indexOf(worker) ?? -1;
    if (at >= 0) list!.splice(at, 1);
  };

  const evictOldestIdle = (): void => {
    let oldest: LambdaWorker | undefined;
    for (const list of idle.values()) {
      for (const w of list) if (!oldest || lastUsed.get(w)! < lastUsed.get(oldest)!) oldest = w;
    }
    if (oldest) {
      forget(oldest);
      oldest.kill();
    }
  };

  const start = (spec: FunctionSpec, code: FunctionCodeLocation): LambdaWorker => {
    if (live.size >= opts.maxWorkers) evictOldestIdle();
    started += 1;
    const tmpDir = path.join(opts.tmpRoot, `${spec.name}-${started}`);
    mkdirSync(tmpDir, { recursive: true });
    const logStreamName = `local/[$LATEST]${started.toString(16).padStart(8, '0')}`;
    const worker = spawnWorker({
      spec,
      arn: opts.arnOf(spec.name),
      tmpDir,
      code,
      logStreamName,
      onLog: opts.onLog,
      env: buildWorkerEnv({
        spec,
        region: opts.region,
        repoRoot: opts.repoRoot,
        tmpDir,
        logStreamName,
        common: opts.commonEnv,
        scaledTimeoutMs: opts.scaledTimeoutMs(spec),
        code,
      }),
    });
    live.add(worker);
    // A new execution environment gets a fresh /tmp; the old one goes with its worker.
    void worker.closed.then(() => {
      // Still listed idle: nobody here killed it (every kill forgets the worker first).
      if (idle.get(worker.functionName)?.includes(worker)) noteIdleDeath(worker);
      forget(worker);
      rmSync(tmpDir, { recursive: true, force: true });
    });
    return worker;
  };

  return {
    checkoutIdle(functionName) {
      const list = idleOf(functionName);
      while (list.length > 0) {
        const worker = list.pop()!;
        if (worker.isAlive()) return worker;
        forget(worker);
      }
      return undefined;
    },
    start,
    checkin(worker, reusable) {
      if (reusable && worker.isAlive() && live.has(worker)) {
        lastUsed.set(worker, ++useClock);
        idleOf(worker.functionName).push(worker);
      } else {
        forget(worker);
        worker.kill();
      }
    },
    counts() {
      let idleCount = 0;
      for (const list of idle.values()) idleCount += list.length;
      return { live: live.size, idle: idleCount, started };
    },
    async closeAll() {
      const all = [...live];
      for (const w of all) w.kill();
      await Promise.all(all.map((w) => w.closed));
    },
    killAllNow() {
      for (const w of live) w.kill();
    },
    takeIdleDeath(functionName) {
      // Exited, though its close may not have been seen yet.
      for (const worker of [...idleOf(functionName)]) {
        if (worker.isAlive()) continue;
        noteIdleDeath(worker);
        forget(worker);
      }
      return idleDeaths.get(functionName)?.shift();
    },
  };
}
