// `longhaul predict`: the command line over local/ml/predict.ts.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineCommand, UsageError } from '../cli/command';
import { parseOptions } from '../cli/option-values';

const help = `Usage: longhaul predict --model <dir> --input <rows.csv|rows.parquet> [--output <predictions.csv>]

Scores raw rows with a model trained by \`longhaul run ml\`, preparing them with the same code and the
same fitted statistics as training did (imputation, one-hot levels, standardization).

<dir> is the --output folder of \`longhaul run ml\`: model/model.json, model/weights.bin and
preprocessing.json. The input needs every feature column the model was trained on (others, the label
included, are ignored).

Output CSV (to stdout without --output): row (the row's number in the input file, the header being
row 1), the prediction under the label's name (the class, or the value), and for classification one
p(<class>) column per class. Values missing from the input are imputed and categorical levels not
seen in training are scored as all-zero inputs; both are counted on stderr.

Options:
  --model <dir>      The model folder. Required.
  --input <file>     Rows to score, CSV or Parquet. Required.
  --output <file>    Where to write the predictions (default: stdout).
  -h, --help         This text.

Exit status: 0 when scored, 2 for a usage error or a missing or unusable model or input.`;

export interface PredictDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

async function predict(deps: PredictDeps, argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { model: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.model) throw new UsageError('--model <dir> is required');
  if (!values.input) throw new UsageError('--input <file> is required');
  // Loaded here, not at the top: TensorFlow.js takes over a second to import, and every other longhaul
  // command would pay for it at start.
  const { initBackend } = await import('../../handlers/ml/train/backend');
  const { loadScorer, predictFile, predictionsCsv, tallyLines } = await import('./predict');
  const backend = await initBackend();
  try {
    const scorer = await loadScorer(resolve(values.model));
    try {
      const predictions = await predictFile(scorer, resolve(values.input));
      const csv = predictionsCsv(scorer.preprocessing, predictions);
      if (values.output) await writeFile(resolve(values.output), csv);
      else deps.stdout(csv);
      const rows = predictions.rowNumbers.length;
      deps.stderr(`scored ${rows} row${rows === 1 ? '' : 's'} of ${values.input} on ${backend.name}${values.output ? `: ${values.output}` : ''}\n`);
      for (const line of tallyLines(predictions.tally)) deps.stderr(`${line}\n`);
    } finally {
      scorer.model.dispose();
    }
  } catch (err) {
    // A bad model folder or input is the user's to fix, like a usage error: named, no stack. Matched by
    // name, the errors' contract: under a CommonJS loader (mocha) the dynamically imported modules
    // get their own copy of errors.ts, so instanceof would miss.
    if (err instanceof Error && (err.name === 'InvalidInput' || err.name === 'InputNotFound')) {
      deps.stderr(`longhaul predict: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return 0;
}

export const createPredictCommand = defineCommand<PredictDeps>(
  { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
  { name: 'predict', summary: 'score rows (CSV or Parquet) with a model from `longhaul run ml`', help, run: predict },
);

export const predictCommand = createPredictCommand();
