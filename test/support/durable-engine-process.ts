// A journaled engine in its own process, for the crash test: `start` starts a Distributed Map over 12
// items, `resume` resumes what the journal left running; either waits for the execution to close and
// writes its result. Each invocation appends `<ms since epoch> start|done <id>` to the calls file.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, loadDefinition, type Execution } from '../../local/engine';
import type { LambdaInvoker } from '../../local/lambda/types';
import { itemsMap } from './crash-machine';

const [mode, dir, callsFile] = process.argv.slice(2) as ['start' | 'resume', string, string];
const noLambda: LambdaInvoker = { invoke: async () => { throw new Error('no Lambda here'); } };

const machine = itemsMap({ Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Item' });

const engine = createEngine({
  lambda: noLambda,
  durableDir: dir,
  taskHandlers: {
    Item: async (input) => {
      const { id } = input as { id: string };
      appendFileSync(callsFile, `${Date.now()} start ${id}\n`);
      await new Promise((r) => setTimeout(r, 120));
      appendFileSync(callsFile, `${Date.now()} done ${id}\n`);
      return { id, upper: id.toUpperCase() };
    },
  },
});

const finished = (execution: Execution) =>
  execution.done.then((result) => {
    writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
    process.exit(0);
  });

if (mode === 'start') {
  const ids = 'abcdefghijkl'.split('');
  void finished(engine.startExecution(loadDefinition(machine), { ids }, { name: 'crash' }));
} else {
  engine.onExecutionStarted((execution, parent) => void (parent === undefined && finished(execution)));
  if (engine.resumeExecutions() !== 1) throw new Error('expected one execution to resume');
}
