// Live progress of `longhaul run` on stderr. Step changes, finished tasks and units, and failed attempts
// are printed as lines; on a terminal a last line is rewritten in place with the progress table's counts
// and the pipeline's live figures. Elsewhere (a log, a pipe) the figures get a line of their own when
// they change, at most one every FIGURES_EVERY_MS, and a last one when the run ends.
import type { Pipeline } from '../../handlers/pipeline';
import type { JobEvent } from '../run/job-runner';
import { figureRates } from './figure-rates';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const FIGURES_EVERY_MS = 5_000;

export interface ProgressPrinter {
  onEvent(e: JobEvent): void;
  finish(): void;
}

/** `stream` and `now` are for tests. */
export function progressPrinter(pipeline: Pipeline, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr, now: () => number = Date.now): ProgressPrinter {
  const tty = stream.isTTY === true;
  const unit = pipeline.units.name;
  const figures = figureRates(pipeline.figures);
  let live = '';
  let step = '';
  let stepSince = now();
  let unitsDone = 0;
  let unitsTotal = 0;
  let failedAttempts = 0;
  let figuresPrinted = '';
  let figuresPrintedAt = -Infinity;
  const print = (line: string) => {
    stream.write(tty ? `\r\x1b[2K${line}\n${live}` : `${line}\n`);
  };
  const status = () => {
    const shown = figures.text();
    return `  ${step || 'starting'}: ${unit}s ${unitsDone}/${unitsTotal || '?'}${shown ? `, ${shown}` : ''}${failedAttempts ? `, ${failedAttempts} failed attempts` : ''}`;
  };
  const redraw = () => {
    if (!tty) return;
    live = status();
    stream.write(`\r\x1b[2K${live}`);
  };
  const printFigures = (force: boolean) => {
    const shown = figures.text();
    if (tty || !shown || shown === figuresPrinted || (!force && now() - figuresPrintedAt < FIGURES_EVERY_MS)) return;
    figuresPrinted = shown;
    figuresPrintedAt = now();
    print(status());
  };
  const onTask = (e: Extract<JobEvent, { kind: 'task' }>) => {
    if (!e.ok) {
      failedAttempts += 1;
      print(`  ${e.functionName} failed after ${seconds(e.durationMs)}: ${e.error} (the state's Retry/Catch decide what follows)`);
    } else {
      print(`  ${e.functionName} done in ${seconds(e.durationMs)}`);
    }
  };
  // Units are read from the progress table: an invocation of the unit's function may be one turn of many.
  const onProgress = (job: Extract<JobEvent, { kind: 'progress' }>['job']) => {
    unitsTotal = job.totalUnits;
    if (job.step !== step) {
      step = job.step;
      stepSince = now();
      print(`step ${step}`);
    }
    if (job.doneUnits > unitsDone) {
      unitsDone = job.doneUnits;
      print(`  ${unit} ${unitsDone}/${unitsTotal || '?'} done`);
    }
    figures.update(job.figures, now(), stepSince);
    printFigures(false);
  };
  return {
    onEvent(e) {
      switch (e.kind) {
        case 'uploaded':
          print(`job ${e.jobId}: ${e.skipped ? 'input already uploaded' : `uploaded ${(e.bytes / 1e6).toFixed(1)} MB`} to ${e.key}`);
          break;
        case 'started':
          print(`execution ${e.executionArn}`);
          break;
        case 'task':
          onTask(e);
          break;
        case 'progress':
          onProgress(e.job);
          break;
      }
      redraw();
    },
    finish() {
      printFigures(true);
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
