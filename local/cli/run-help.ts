// `longhaul run --help` (the pipelines) and `longhaul run <pipeline> --help` (its options), written from
// the pipelines' declarations: flags, help lines and the job schema's defaults.
import type { Pipeline } from '../../handlers/pipeline';
import { schemaDefault } from '../run/execution-input';
import { FROM_SOURCE_HELP } from './option-values';

const COMMON_OPTIONS: [string, string][] = [
  ['--job-id <id>', 'Default: derived from the inputs\' content and the settings, so a re-run of a finished job returns its results without doing the work again.'],
  ['--data-dir <dir>', 'Keep S3 objects and progress records here. Default: a temp dir.'],
  ['--verbose', "Show every function's log lines and a failure's stack trace (default: written to a log file)."],
  ['--from-source', FROM_SOURCE_HELP],
  ['-h, --help', 'This text.'],
];

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

export function runOverview(pipelines: readonly Pipeline[]): string {
  return [
    'Usage: longhaul run <pipeline> [options]   (longhaul run <pipeline> --help for its options)',
    '',
    "Runs a pipeline locally end to end, as it runs in AWS: starts local S3 and DynamoDB, uploads the inputs,",
    'executes its state machine with every task in its own Lambda worker (real timeouts and memory),',
    'shows progress, downloads the results and prints a summary.',
    '',
    'Pipelines:',
    ...table(pipelines.map((p) => [p.name, `${p.description} (${p.asl})`])),
    '',
    'Exit status: 0 success, 1 job failed, 2 bad usage.',
  ].join('\n');
}

function defaultText(value: unknown): string {
  return value === undefined || value === null ? '' : ` Default ${typeof value === 'string' ? value : JSON.stringify(value)}.`;
}

export function pipelineHelp(p: Pipeline): string {
  const uploads = p.cli.uploads.map((u): [string, string] => [`--${u.flag} <file>`, u.help]);
  const flags = p.cli.flags.map((f): [string, string] => [`--${f.name} <${f.type === 'json' ? 'json|@file' : f.type}>`, `${f.help}${defaultText(schemaDefault(p.job, f.field))}`]);
  const functionFlags = p.cli.functionFlags.map((f): [string, string] => {
    const current = p.functions.find((fn) => fn.name === f.functionName)?.[f.setting];
    return [`--${f.name} <number>`, `${f.help}${defaultText(current)}`];
  });
  const required = p.cli.uploads.map((u) => `--${u.flag} <file>`).join(' ');
  return [
    `Usage: longhaul run ${p.name} ${required} [options]`,
    '',
    `The ${p.name} pipeline (${p.asl}): ${p.description}. Runs locally end to end: local S3 and DynamoDB,`,
    'every task in its own Lambda worker (real timeouts and memory), live progress, results downloaded.',
    '',
    'Options:',
    ...table([...uploads, ...flags, ...functionFlags, ['--output <path>', p.cli.outputHelp], ...COMMON_OPTIONS]),
    '',
    'Exit status: 0 success, 1 job failed, 2 bad usage.',
  ].join('\n');
}
