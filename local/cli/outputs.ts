// `longhaul outputs [name]`: the local server's answer to `terraform output -raw name`.
import { resolve } from 'node:path';
import { DEFAULT_SERVE_DATA_DIR, readServeOutputs } from '../serve/serve-outputs';
import { UsageError, defineCommand, type CliCommand } from './command';
import { parseOptions } from './option-values';

interface OutputsDeps {
  stdout(text: string): void;
}

const help = `Usage: longhaul outputs [<name>] [--data-dir <dir>] [--json]

Prints what \`terraform output -raw <name>\` prints for a deployed stack, for the stack that
\`longhaul serve\` runs locally: data_bucket, progress_table, <pipeline>_state_machine_arn,
function_names, endpoint. Without a name, all of them. So the README's commands run locally with
OUT="npx longhaul outputs" in place of OUT="terraform -chdir=cdktf.out/stacks/dev output -raw".

Options:
  --data-dir <dir>   The server's data dir. Default ${DEFAULT_SERVE_DATA_DIR}.
  --json             Print JSON, as \`terraform output -json\`.`;

async function run(deps: OutputsDeps, argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } });
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const outputs = readServeOutputs(resolve(values['data-dir'] ?? DEFAULT_SERVE_DATA_DIR));
  const [name] = positionals;
  if (name === undefined) {
    deps.stdout(values.json ? JSON.stringify(outputs, null, 2) : Object.entries(outputs).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n'));
    return 0;
  }
  if (!Object.hasOwn(outputs, name)) throw new UsageError(`no output "${name}" (there are: ${Object.keys(outputs).join(', ')})`);
  const value = outputs[name]!;
  // As `terraform output -raw`: strings bare; lists only with --json.
  deps.stdout(values.json || typeof value !== 'string' ? JSON.stringify(value) : value);
  return 0;
}

export const createOutputsCommand = defineCommand<OutputsDeps>(
  { stdout: (text) => process.stdout.write(`${text}\n`) },
  { name: 'outputs', summary: 'print the local server\'s outputs, as `terraform output -raw` does for AWS', help, run },
);

export const outputsCommand: CliCommand = createOutputsCommand();
