// `longhaul timeline <executionArn|jobId> --out file.html|file.svg`: the execution's Gantt chart, read from
// the Step Functions history (and Lambda's function timeouts) of a local serve or of AWS.
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { AWS_TARGET_HELP, AWS_TARGET_OPTIONS, awsTargetFromFlags, createOperateClients, operateErrorLine } from '../operate/aws-target';
import { findExecution, readExecutionTrace } from '../operate/execution-trace';
import { invokedFunctions, readFunctionConfigs, timeoutsOf } from '../operate/function-configs';
import { renderTimelineHtml, renderTimelineSvg } from '../operate/timeline';
import { UsageError, defineCommand, type CliCommand } from './command';
import { parseOptions } from './option-values';

interface TimelineDeps {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

const help = `Usage: longhaul timeline <executionArn|jobId> --out <file.html|file.svg> [AWS target]

A Gantt chart of one execution, read from its Step Functions history: a bar per task attempt and per
Distributed Map item, coloured by outcome (succeeded, failed, timed out, aborted, running), retries
marked R1, R2…, a tick at 80% of each function's timeout (Lambda GetFunction), and how many Map items ran
at once. A job id means the newest execution named <jobId> or <jobId>-<n> in any state machine.
The .svg is the chart alone; the .html adds a title and a legend. Both are standalone files.

Options:
  --out <file>          Where to write; the extension (.html or .svg) picks the format.

${AWS_TARGET_HELP}

Example (a local serve):
  longhaul timeline talk-001 --out talk-001.html --endpoint-url http://127.0.0.1:4566`;

async function run(deps: TimelineDeps, argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { ...AWS_TARGET_OPTIONS, out: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(`expected one execution ARN or job id, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  const out = values.out;
  if (!out) throw new UsageError('--out <file.html|file.svg> is required');
  const format = extname(out).toLowerCase();
  if (format !== '.html' && format !== '.svg') throw new UsageError(`--out must end in .html or .svg, got "${out}"`);
  const clients = createOperateClients(awsTargetFromFlags(values, deps.env), deps.env);
  try {
    const executionArn = await findExecution(clients, positionals[0]!);
    const trace = await readExecutionTrace(clients, executionArn);
    const timeouts = timeoutsOf(await readFunctionConfigs(clients.lambda, invokedFunctions(trace)));
    await writeFile(out, format === '.svg' ? renderTimelineSvg(trace, timeouts) : renderTimelineHtml(trace, timeouts));
    const items = trace.mapRuns.reduce((n, r) => n + r.items.length, 0);
    deps.stdout(`${out}: ${trace.execution.status}, ${trace.tasks.length} task attempt(s), ${items} Map item(s) (${executionArn})`);
    return 0;
  } catch (err) {
    deps.stderr(`longhaul timeline: ${operateErrorLine(err)}`);
    return 1;
  } finally {
    clients.destroy();
  }
}

export const createTimelineCommand = defineCommand<TimelineDeps>(
  { stdout: (text) => process.stdout.write(`${text}\n`), stderr: (text) => process.stderr.write(`${text}\n`), env: process.env },
  { name: 'timeline', summary: 'an execution\'s Gantt chart (tasks, retries, Map items, 80% timeout marks) as SVG or HTML', help, run },
);

export const timelineCommand: CliCommand = createTimelineCommand();
