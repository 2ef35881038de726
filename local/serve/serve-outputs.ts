// What `terraform output` tells about a deployed stack, told by a running `longhaul serve` instead: written
// to its data dir at start, read by `longhaul outputs`, so the README's commands run unchanged locally
// with `OUT="npx longhaul outputs"` in place of `OUT="terraform … output -raw"`.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_NAMES, stateMachineOutputName } from '../../infra/output-names';

/** `longhaul serve`'s data dir when none is given: where the other tools look for its outputs too. */
export const DEFAULT_SERVE_DATA_DIR = '.longhaul/serve';

const FILE = 'outputs.json';

export type ServeOutputs = Record<string, string | string[]>;

export function serveOutputs(opts: {
  endpoint: string;
  region: string;
  bucket: string;
  table: string;
  stateMachineArns: Record<string, string>;
  functionNames: string[];
}): ServeOutputs {
  const outputs: ServeOutputs = {
    endpoint: opts.endpoint,
    [OUTPUT_NAMES.region]: opts.region,
    [OUTPUT_NAMES.dataBucket]: opts.bucket,
    [OUTPUT_NAMES.progressTable]: opts.table,
    [OUTPUT_NAMES.functionNames]: opts.functionNames,
  };
  for (const [pipeline, arn] of Object.entries(opts.stateMachineArns)) outputs[stateMachineOutputName(pipeline)] = arn;
  return outputs;
}

export function writeServeOutputs(dataDir: string, outputs: ServeOutputs): void {
  const file = join(dataDir, FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(outputs, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The outputs of the server that last started on `dataDir`; a clear error when none did. */
export function readServeOutputs(dataDir: string): ServeOutputs {
  try {
    return JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as ServeOutputs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`no outputs in ${dataDir}: start \`longhaul serve${dataDir ? ` --data-dir ${dataDir}` : ''}\` first`);
    }
    throw err;
  }
}
