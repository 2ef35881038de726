// The README's deploy commands, verbatim, against `longhaul serve`: each `longhaul:commands` block runs in
// bash with the real AWS CLI v2, changed only as the README's "The same commands, locally" says: the
// endpoint added to `aws`, and `OUT` reading the server's outputs instead of Terraform's. The results
// are checked with independent tools: ffprobe for the video, DuckDB for the ETL aggregates.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SALES_COLUMNS, writeSalesCsv } from '../../local/data/sales-generator';
import { startServe, type Serve } from '../../local/serve/serve';
import { duckRows, useDuckDb } from '../support/duckdb';
import { csvObjects, duckColumns, sql } from '../support/etl';
import { clipDefaults, expectedFrames, generateClip } from '../support/media';
import { vegaCsv } from '../support/ml';
import { binaryPath } from '../../handlers/lib/ffmpeg-binaries';

const exec = promisify(execFile);
const repo = process.cwd();

/** The shell block after `<!-- longhaul:commands <name>`, as the README shows it. */
async function readmeBlock(name: string): Promise<string[]> {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- longhaul:commands ${name}`);
  if (at < 0) throw new Error(`README.md has no longhaul:commands ${name} block`);
  const start = readme.indexOf('```sh\n', at) + '```sh\n'.length;
  return readme.slice(start, readme.indexOf('\n```', start)).split('\n');
}

describe('README commands, verbatim, through the AWS CLI against longhaul serve', function () {
  this.timeout(300_000);
  let serve: Serve;
  let work: string;
  let dataDir: string;
  const duck = useDuckDb();

  before(async function () {
    work = await mkdtemp(join(tmpdir(), 'longhaul-readme-'));
    dataDir = join(work, 'serve-data');
    serve = await startServe({ dataDir, port: 0, naming: { prefix: 'longhaul', stackName: 'dev' }, onLog: () => {}, onProblem: () => {} });
  });
  after(async function () {
    await serve?.stop();
    await rm(work, { recursive: true, force: true });
  });

  /**
   * Runs a block in `cwd`: its first line (OUT=terraform …) replaced by the server's outputs, `aws` with the
   * endpoint, and a wait for the execution to end before the block's describe-execution line.
   */
  async function runBlock(name: string, cwd: string): Promise<string> {
    const lines = await readmeBlock(name);
    expect(lines[0]).to.match(/^OUT="terraform /);
    const describeAt = lines.findIndex((l) => l.startsWith('aws stepfunctions describe-execution'));
    expect(describeAt, 'a describe-execution line').to.be.greaterThan(0);
    const script = [
      'set -euo pipefail',
      `aws() { command /usr/bin/aws --endpoint-url ${serve.endpoint} "$@"; }`,
      `OUT="node ${join(repo, 'bin/longhaul.mjs')} outputs --data-dir ${dataDir}"`,
      ...lines.slice(1, describeAt),
      'until s=$(aws stepfunctions describe-execution --execution-arn "$ARN" --query status --output text) && [ "$s" != RUNNING ]; do sleep 1; done',
      ...lines.slice(describeAt),
    ].join('\n');
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: serve.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: serve.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: serve.region,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_PAGER: '',
    };
    const { stdout } = await exec('bash', ['-c', script], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  }

  it('video: uploads a clip, starts the pipeline, follows it, reads the job record, downloads a verified video', async () => {
    const cwd = join(work, 'video');
    await mkdir(cwd);
    await generateClip(join(cwd, 'talk.mp4'), { durationSeconds: 4 });
    const stdout = await runBlock('video', cwd);
    expect(stdout).to.match(/"status": "SUCCEEDED"/);
    // The job record from `aws dynamodb get-item`.
    expect(stdout).to.match(/"S": "SUCCEEDED"/);
    const { stdout: frames } = await exec(await binaryPath('ffprobe'), ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets,height', '-of', 'csv=p=0', join(cwd, 'video.mp4')]);
    const [height, count] = frames.trim().split(',').map(Number);
    expect(height).to.equal(360);
    expect(count).to.equal(expectedFrames(clipDefaults.fps, 4));
  });

  it('etl: uploads a CSV, runs the job, downloads aggregates equal to DuckDB on the same file', async () => {
    const cwd = join(work, 'etl');
    await mkdir(cwd);
    await writeSalesCsv(join(cwd, 'sales.csv'), { rows: 3000, seed: 7 });
    const spec = { columns: SALES_COLUMNS, groupBy: ['region'], aggregates: { orders: 'count', units: 'sum(quantity)' } };
    await writeFile(join(cwd, 'spec.json'), JSON.stringify(spec));
    const stdout = await runBlock('etl', cwd);
    expect(stdout).to.include('SUCCEEDED');
    const ours = (await csvObjects(join(cwd, 'aggregates.csv'))).map((r) => ({ region: r.region, orders: Number(r.orders), units: Number(r.units) }));
    const expected = await duckRows(
      duck(),
      `select region, count(*)::bigint as orders, sum(quantity)::bigint as units
         from read_csv(${sql(join(cwd, 'sales.csv'))}, header = true, types = ${duckColumns(SALES_COLUMNS)}) group by all order by region nulls last`,
    );
    expect(ours).to.deep.equal(expected.map((r) => ({ region: r.region, orders: Number(r.orders), units: Number(r.units) })));
  });

  it('ml: uploads penguins, trains, downloads the model', async () => {
    const cwd = join(work, 'ml');
    await mkdir(cwd);
    await vegaCsv(cwd, 'penguins.json', 'penguins.csv');
    const stdout = await runBlock('ml', cwd);
    expect(stdout).to.include('SUCCEEDED');
    const files = await readdir(join(cwd, 'model'), { recursive: true });
    expect(files.some((f) => String(f).endsWith('model.json')), files.join(', ')).to.equal(true);
    expect(existsSync(join(cwd, 'model'))).to.equal(true);
  });
});
