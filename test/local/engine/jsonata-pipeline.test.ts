// A pipeline-sized JSONata machine: asl/etl.asl.json rewritten in JSONata with variables
// (fixtures/asl/etl-jsonata.asl.json) makes the same calls with the same payloads and ends the same way as the
// JSONPath original, on success and on failure, with in-process functions standing for the Lambdas and items read
// from local S3. Also: a JSONata Distributed Map's ItemReader, ReaderConfig.MaxItems and ResultWriter fields.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createEngine, loadDefinition, type StateMachineDefinition } from '../../../local/engine';
import type { TaskHandler } from '../../../local/engine/run-context';
import { useLocalServices } from '../../support/services';
import { noLambda } from './harness';

const FUNCTIONS = ['EtlPlan', 'EtlScanRange', 'EtlStitch', 'EtlTransform', 'EtlGather', 'EtlReduce', 'EtlReport', 'RecordFailure'];

interface Scenario {
  format: 'csv' | 'parquet';
  /** A function that fails, and on which payload. */
  failIn?: { fn: string; when: (payload: Record<string, unknown>) => boolean };
}

/** Stand-ins for the ETL functions: each records its payloads; the plan points at item lists the test wrote to S3. */
function standIns(scenario: Scenario, calls: Map<string, unknown[]>): Record<string, TaskHandler> {
  const turns = new Map<string, number>();
  const results: Record<string, (p: Record<string, unknown>) => unknown> = {
    EtlPlan: (p) => ({ format: scenario.format, rangesKey: `jobs/${String(p.jobId)}/work/ranges.json`, rangeCount: 3, partitionsKey: `jobs/${String(p.jobId)}/work/partitions.json`, partitionCount: 2, maxConcurrency: 2, buckets: [0, 1, 2], ignored: 'x' }),
    EtlTransform: (p) => {
      const key = JSON.stringify(p.partition);
      const turn = (turns.get(key) ?? 0) + 1;
      turns.set(key, turn);
      return { done: turn === 2, cursor: { turn } };
    },
    EtlReport: (p) => ({ jobId: p.jobId, report: { rows: 10 }, reportKey: 'r.json', outputs: ['a.csv'], reused: false, extra: 1 }),
  };
  return Object.fromEntries(FUNCTIONS.map((fn) => [fn, async (payload: unknown) => {
    const p = payload as Record<string, unknown>;
    calls.set(fn, [...(calls.get(fn) ?? []), p]);
    if (scenario.failIn?.fn === fn && scenario.failIn.when(p)) {
      const err = new Error(`${fn} failed on purpose`);
      err.name = 'BadInput';
      throw err;
    }
    return results[fn]?.(p) ?? { ok: true };
  }]));
}

const sorted = (list: unknown[]) => list.map((x) => JSON.stringify(x)).sort();

describe('a pipeline in JSONata: the ETL machine rewritten gives the same as the JSONPath original', function () {
  this.timeout(30_000);
  const services = useLocalServices();
  let s3: S3Client;
  let machines: { jsonPath: StateMachineDefinition; jsonata: StateMachineDefinition };

  before(async () => {
    const s = services();
    s3 = new S3Client({ region: s.region, endpoint: s.endpoints.s3, forcePathStyle: true, credentials: s.credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    const placeholders: Record<string, string> = { DataBucket: s.bucket };
    for (const fn of FUNCTIONS) placeholders[`${fn}Arn`] = fn;
    machines = {
      jsonPath: loadDefinition(readFileSync('asl/etl.asl.json', 'utf8'), { placeholders }),
      jsonata: loadDefinition(readFileSync('test/fixtures/asl/etl-jsonata.asl.json', 'utf8'), { placeholders }),
    };
    for (const job of ['csv-ok', 'parquet-fails', 'scan-fails']) {
      await s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: `jobs/${job}/work/ranges.json`, Body: JSON.stringify([0, 1, 2].map((index) => ({ index, start: index * 10, end: index * 10 + 10 }))) }));
      await s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: `jobs/${job}/work/partitions.json`, Body: JSON.stringify([{ id: 'p0', start: 0 }, { id: 'p1', start: 15 }]) }));
    }
  });
  after(() => s3?.destroy());

  async function runBoth(input: { jobId: string }, scenario: Scenario) {
    const outcomes = [];
    for (const definition of [machines.jsonPath, machines.jsonata]) {
      const calls = new Map<string, unknown[]>();
      const engine = createEngine({ lambda: noLambda, taskHandlers: standIns(scenario, calls), env: services().env, timeScale: 0.001 });
      const result = await engine.startExecution(definition, input).done;
      await engine.close();
      outcomes.push({ result, calls });
    }
    const [path, ata] = outcomes as [typeof outcomes[0], typeof outcomes[0]];
    expect(ata.result.status, `${ata.result.error}: ${ata.result.cause}`).to.equal(path.result.status);
    expect(ata.result.output).to.deep.equal(path.result.output);
    expect(ata.result.error).to.equal(path.result.error);
    expect(ata.result.cause).to.equal(path.result.cause);
    for (const fn of FUNCTIONS) expect(sorted(ata.calls.get(fn) ?? []), fn).to.deep.equal(sorted(path.calls.get(fn) ?? []));
    return path;
  }

  it('a CSV job: plan, scan (Distributed Map over S3), stitch, transform (a looping child per partition), gather, reduce, report', async () => {
    const { result, calls } = await runBoth({ jobId: 'csv-ok' }, { format: 'csv' });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ jobId: 'csv-ok', report: { rows: 10 }, reportKey: 'r.json', outputs: ['a.csv'], reused: false });
    expect(calls.get('EtlScanRange')).to.have.length(3);
    expect(calls.get('EtlTransform')).to.have.length(4);
    expect(sorted(calls.get('EtlTransform')!)).to.include(JSON.stringify({ jobId: 'csv-ok', partition: { id: 'p1', start: 15 }, cursor: { turn: 1 } }));
    expect(calls.get('EtlReduce')).to.have.length(3);
    expect(calls.get('RecordFailure')).to.equal(undefined);
  });

  it('a Parquet job whose reduce fails: the Choice skips the scan, the failure is recorded with the plan and the error, the job fails with it', async () => {
    const { result, calls } = await runBoth({ jobId: 'parquet-fails' }, { format: 'parquet', failIn: { fn: 'EtlReduce', when: (p) => p.bucket === 1 } });
    expect(result.error).to.equal('BadInput');
    expect(calls.get('EtlScanRange')).to.equal(undefined);
    const [recorded] = calls.get('RecordFailure') as { jobId: string; plan: { format: string }; error: { Error: string } }[];
    expect(recorded!.jobId).to.equal('parquet-fails');
    expect(recorded!.plan.format).to.equal('parquet');
    expect(recorded!.error.Error).to.equal('BadInput');
  });

  it("a scan item that fails fails the Distributed Map (no tolerated failures): the same error, recorded the same way", async () => {
    const { result } = await runBoth({ jobId: 'scan-fails' }, { format: 'csv', failIn: { fn: 'EtlScanRange', when: (p) => p.index === 2 } });
    expect(result.error).to.equal('States.ExceedToleratedFailureThreshold');
  });

  it('JSONata ItemReader Arguments and ReaderConfig.MaxItems, and ResultWriter Arguments, evaluated from the input', async () => {
    const bucket = services().bucket;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'jobs/jsonata-io/items.jsonl', Body: [1, 2, 3, 4, 5].map((n) => JSON.stringify({ n })).join('\n') }));
    const engine = createEngine({ lambda: noLambda, env: services().env, timeScale: 0.001 });
    const result = await engine.startExecution(loadDefinition({
      QueryLanguage: 'JSONata',
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL', MaxItems: '{% $states.input.max %}' }, Arguments: { Bucket: '{% $states.input.bucket %}', Key: "{% 'jobs/' & $states.input.job & '/items.jsonl' %}" } },
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Square', States: { Square: { Type: 'Pass', Output: '{% $states.input.n * $states.input.n %}', End: true } } },
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: '{% $states.input.bucket %}', Prefix: "{% 'jobs/' & $states.input.job & '/results' %}" } },
          Output: '{% $states.result.ResultWriterDetails %}',
          End: true,
        },
      },
    }), { bucket, job: 'jsonata-io', max: 3 }).done;
    await engine.close();
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    const manifest = result.output as { Bucket: string; Key: string };
    expect(manifest.Bucket).to.equal(bucket);
    expect(manifest.Key).to.match(/^jobs\/jsonata-io\/results\/.+\/manifest\.json$/);
    const written = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifest.Key.replace('manifest.json', 'SUCCEEDED_0.json') }))).Body!.transformToString()) as { Output: string }[];
    expect(written.map((w) => JSON.parse(w.Output) as number).sort()).to.deep.equal([1, 4, 9]);
  });
});
