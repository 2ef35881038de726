// asl/video.asl.json: valid for AWS once its placeholders are replaced, every task retried and
// caught as the contract says, and every function it names is in the catalog.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { catalog } from '../../../handlers/catalog';
import { arnPlaceholder } from '../../../handlers/asl-placeholders';
import { localFunctionArn } from '../../../local/local-arn';

// asl-validator ships no type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

type State = Record<string, unknown> & { Type: string };
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

const text = readFileSync(new URL('../../../asl/video.asl.json', import.meta.url), 'utf8');
const machine = JSON.parse(text) as Machine;

/** Every state, nested ones (Parallel branches, Map processors) included, with its name. */
function allStates(m: Machine): [string, State][] {
  const out: [string, State][] = [];
  for (const [name, state] of Object.entries(m.States)) {
    out.push([name, state]);
    for (const branch of (state.Branches as Machine[] | undefined) ?? []) out.push(...allStates(branch));
    const processor = (state.ItemProcessor ?? state.Iterator) as Machine | undefined;
    if (processor) out.push(...allStates(processor));
  }
  return out;
}

function substitute(definition: string): string {
  let out = definition;
  for (const f of catalog) out = out.split(`\${${arnPlaceholder(f.name)}}`).join(localFunctionArn(f.name, 'us-east-1'));
  return out.split('${DataBucket}').join('longhaul-data').split('${ProgressTable}').join('longhaul-progress');
}

const LAMBDA_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

describe('asl/video.asl.json', () => {
  it('names only catalog functions and known placeholders, and none remains after substitution', () => {
    const placeholders = [...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!);
    const known = new Set([...catalog.map((f) => arnPlaceholder(f.name)), 'DataBucket', 'ProgressTable']);
    expect(placeholders.filter((p) => !known.has(p))).to.deep.equal([]);
    expect(substitute(text)).to.not.contain('${');
  });

  it('passes asl-validator once substituted', () => {
    const result = aslValidator(JSON.parse(substitute(text)));
    expect(result.errorsText('\n')).to.equal('');
    expect(result.isValid).to.equal(true);
  });

  it('runs Probe → Split → TranscodeChunks (each chunk with its audio segment) → Merge → Done', () => {
    const order: string[] = [];
    let name: string | undefined = machine.StartAt;
    while (name) {
      order.push(name);
      name = machine.States[name]!.Next as string | undefined;
    }
    expect(order).to.deep.equal(['Probe', 'Split', 'TranscodeChunks', 'Merge', 'Done']);
    // No task takes the whole audio track: it is encoded in segments, inside the chunk tasks.
    expect(allStates(machine).map(([n]) => n)).to.not.include('TranscodeAudio');
  });

  it('every task invokes a Lambda and retries the Lambda service errors and TransientError with back-off', () => {
    const tasks = allStates(machine).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).to.deep.equal(['Merge', 'Probe', 'RecordFailure', 'Split', 'TranscodeChunk']);
    for (const [name, task] of tasks) {
      expect(task.Resource, name).to.equal('arn:aws:states:::lambda:invoke');
      const params = task.Parameters as Record<string, unknown>;
      expect(params.FunctionName, name).to.match(name === 'RecordFailure' ? /^\$\{RecordFailureArn\}$/ : /^\$\{Video[A-Za-z]+Arn\}$/);
      const retry = task.Retry as { ErrorEquals: string[]; BackoffRate?: number; MaxAttempts?: number }[];
      for (const error of [...LAMBDA_ERRORS, 'TransientError']) {
        const rule = retry.find((r) => r.ErrorEquals.includes(error));
        expect(rule, `${name} retries ${error}`).to.not.equal(undefined);
        expect(rule!.BackoffRate ?? 1, `${name} backs off on ${error}`).to.be.greaterThan(1);
      }
      // Input errors must fail at once: retrying a missing file only delays the verdict; a chunk over its
      // budget would get the same budget again.
      const final = ['InvalidInput', 'InputNotFound', 'ChunkOverBudget', 'States.ALL'];
      expect(retry.some((r) => r.ErrorEquals.some((e) => final.includes(e))), name).to.equal(false);
    }
  });

  it('every top-level work state catches everything into RecordFailure, which always reaches JobFailed', () => {
    for (const name of ['Probe', 'Split', 'TranscodeChunks', 'Merge']) {
      const catches = machine.States[name]!.Catch as { ErrorEquals: string[]; Next: string; ResultPath: string }[];
      expect(catches, name).to.deep.equal([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]);
    }
    const record = machine.States.RecordFailure!;
    expect(record.Next).to.equal('JobFailed');
    expect((record.Catch as { Next: string }[])[0]!.Next).to.equal('JobFailed');
    // The failure recorder gets the whole state (the caught error sits in $.error) and keeps it.
    expect(record.Parameters).to.deep.include({ 'Payload.$': '$' });
    expect(record.ResultPath).to.equal(null);
    expect(machine.States.JobFailed).to.deep.equal({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  it('reads the chunk list from S3 with a Distributed Map and passes only keys and indexes', () => {
    const map = machine.States.TranscodeChunks!;
    expect(map.ItemReader).to.deep.equal({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: '${DataBucket}', 'Key.$': '$.plan.chunksKey' },
    });
    expect((map.ItemProcessor as { ProcessorConfig: unknown }).ProcessorConfig).to.deep.equal({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemSelector).to.deep.equal({ 'jobId.$': '$.jobId', 'index.$': '$$.Map.Item.Value.index' });
    expect(map.MaxConcurrencyPath).to.equal('$.plan.maxConcurrency');
    // Chunk results stay in S3 markers; a thousand of them in the state would near 256 KiB.
    expect(map.ResultPath).to.equal(null);
  });

  it('every function the machine names is a catalog entry with the ffmpeg layer where it runs ffmpeg', () => {
    const named = [...text.matchAll(/\$\{([A-Za-z]+)Arn\}/g)].map((m) => m[1]!);
    for (const name of new Set(named)) {
      const spec = catalog.find((f) => f.name === name);
      expect(spec, name).to.not.equal(undefined);
      // RecordFailure, shared by every pipeline, runs no ffmpeg.
      expect(spec!.layers, name).to.deep.equal(name.startsWith('Video') ? ['ffmpeg'] : []);
      expect(spec!.timeoutSeconds, name).to.be.at.most(900);
      expect(spec!.ephemeralStorageMb, name).to.be.within(512, 10240);
    }
  });
});
