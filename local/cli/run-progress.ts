// Live progress of `longhaul run` on stderr. Step changes, finished tasks and failed attempts are
// printed as lines; on a terminal a last line is rewritten in place with the progress table's counts.
import type { Pipeline } from '../../handlers/pipeline';
import type { JobEvent } from '../run/job-runner';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface ProgressPrinter {
  onEvent(e: JobEvent): void;
  finish(): void;
}

export function progressPrinter(pipeline: Pipeline, stream: NodeJS.WriteStream = process.stderr): ProgressPrinter {
  const tty = stream.isTTY === true;
  const unit = pipeline.units.name;
  let live = '';
  let step = '';
  let unitsDone = 0;
  let unitsTotal = 0;
  let failedAttempts = 0;
  const print = (line: string) => {
    stream.write(tty ? `\r\x1b[2K${line}\n${live}` : `${line}\n`);
  };
  const redraw = () => {
    if (!tty) return;
    live = `  ${step || 'starting'}: ${unit}s ${unitsDone}/${unitsTotal || '?'}${failedAttempts ? `, ${failedAttempts} failed attempts` : ''}`;
    stream.write(`\r\x1b[2K${live}`);
  };
  const onTask = (e: Extract<JobEvent, { kind: 'task' }>) => {
    if (!e.ok) {
      failedAttempts += 1;
      print(`  ${e.functionName} failed after ${seconds(e.durationMs)}: ${e.error} (the state's Retry/Catch decide what follows)`);
    } else if (e.functionName === pipeline.units.functionName) {
      unitsDone += 1;
      print(`  ${unit} ${unitsDone}/${unitsTotal || '?'} done in ${seconds(e.durationMs)}`);
    } else {
      print(`  ${e.functionName} done in ${seconds(e.durationMs)}`);
    }
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
          unitsTotal = e.job.totalUnits;
          if (e.job.step !== step) {
            step = e.job.step;
            print(`step ${step}`);
          }
          break;
      }
      redraw();
    },
    finish() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
