// `longhaul serve` the command, with a fake server: its options, what it prints, and how it stops.
import { expect } from 'chai';
import { resolve } from 'node:path';
import { UsageError } from '../../../local/cli/command';
import { createServeCommand, type RunningServe } from '../../../local/cli/serve';
import type { ServeOptions } from '../../../local/serve/serve';
import { rejection } from '../../support/rejection';

const videoArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:longhaul-dev-video';
const etlArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:longhaul-dev-etl';

function harness(opts: { fail?: Error; resumed?: number; mockConfigPath?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const started: ServeOptions[] = [];
  let stops = 0;
  let disposed = 0;
  const command = createServeCommand({
    async startServe(options) {
      started.push(options);
      if (opts.fail) throw opts.fail;
      const running: RunningServe = {
        endpoint: 'http://127.0.0.1:4566',
        region: 'us-east-1',
        bucket: 'longhaul-local',
        table: 'longhaul-progress',
        credentials: { accessKeyId: 'LONGHAUL', secretAccessKey: 'longhaul-local-secret' },
        dataDir: options.dataDir,
        stateMachineArns: { video: videoArn, etl: etlArn },
        functionNames: ['longhaul-dev-video-probe', 'longhaul-dev-record-failure'],
        resumedExecutions: opts.resumed ?? 0,
        mockConfigPath: opts.mockConfigPath,
        stop: async () => {
          stops += 1;
        },
      };
      return running;
    },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    // Stops as soon as it is asked: the command prints, waits for this, then stops the server.
    untilStopped: () => ({ promise: Promise.resolve(), dispose: () => void (disposed += 1) }),
  });
  return { command, out, err, started, stops: () => stops, disposed: () => disposed };
}

describe('longhaul serve (the command)', () => {
  it('starts on 127.0.0.1:4566 with the data kept in .longhaul/serve by default, and stops on Ctrl-C', async () => {
    const h = harness();
    expect(await h.command.run([])).to.equal(0);
    expect(h.started).to.deep.equal([{ dataDir: resolve('.longhaul/serve'), port: 4566, host: '127.0.0.1', timeScale: undefined, code: 'bundle' }]);
    expect(h.err).to.deep.equal([]);
    expect(h.out.at(-1)).to.equal('Stopping.');
    expect(h.stops()).to.equal(1);
    expect(h.disposed()).to.equal(1);
  });

  it('passes --port, --host, --data-dir, --time-scale and --from-source through', async () => {
    const h = harness();
    expect(await h.command.run(['--port', '0', '--host', '127.0.0.2', '--data-dir', 'somewhere', '--time-scale', '0.01', '--from-source'])).to.equal(0);
    expect(h.started).to.deep.equal([{ dataDir: resolve('somewhere'), port: 0, host: '127.0.0.2', timeScale: 0.01, code: 'source' }]);
  });

  it('prints the endpoint, bucket, table, state machine ARNs, export lines and example commands', async () => {
    const h = harness();
    await h.command.run(['--data-dir', '/data/serve']);
    const text = h.out[0]!;
    const lines = text.split('\n');
    expect(lines).to.include.members([
      'Endpoint  http://127.0.0.1:4566   (Step Functions, Lambda, S3, DynamoDB)',
      'Console   http://127.0.0.1:4566/console',
      'Bucket    longhaul-local',
      'Table     longhaul-progress',
      'Data      /data/serve',
      `  video  ${videoArn}`,
      `  etl    ${etlArn}`,
      '  export AWS_ENDPOINT_URL=http://127.0.0.1:4566',
      '  export AWS_ACCESS_KEY_ID=LONGHAUL',
      '  export AWS_SECRET_ACCESS_KEY=longhaul-local-secret',
      '  export AWS_DEFAULT_REGION=us-east-1',
      '  export AWS_REGION=us-east-1',
      '  export AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED',
      '  export AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED',
    ]);
    const examples = lines.filter((l) => l.includes('--endpoint-url http://127.0.0.1:4566 s3 cp') || l.includes('stepfunctions start-execution'));
    expect(examples).to.have.length(2);
    expect(examples[0]).to.match(/^ {2}(\/usr\/bin\/)?aws --endpoint-url http:\/\/127\.0\.0\.1:4566 s3 cp talk\.mp4 s3:\/\/longhaul-local\/jobs\/talk-001\/input\/talk\.mp4$/);
    expect(examples[1]).to.contain(`--state-machine-arn ${videoArn} --name talk-001 --input '{"jobId":"talk-001","input":{"key":"jobs/talk-001/input/talk.mp4"}}'`);
    expect(text).to.not.contain('Resumed');
  });

  it('says how many executions it resumed and which mock configuration it uses', async () => {
    const h = harness({ resumed: 3, mockConfigPath: '/tests/MockConfigFile.json' });
    await h.command.run([]);
    expect(h.out[0]).to.contain('Resumed   3 execution(s) the last server left running');
    expect(h.out[0]).to.contain('Mocks     /tests/MockConfigFile.json');
  });

  it('warns on stderr when listening beyond loopback', async () => {
    const h = harness();
    expect(await h.command.run(['--host', '0.0.0.0'])).to.equal(0);
    expect(h.err).to.have.length(1);
    expect(h.err[0]).to.match(/^warning: listening on 0\.0\.0\.0, not loopback: .*no authentication/);
  });

  it('refuses bad options as usage errors naming the option', async () => {
    for (const [argv, message] of [
      [['--port', '70000'], '--port must be from 0 to 65535'],
      [['--port', 'http'], '--port must be a whole number'],
      [['--time-scale', '0'], '--time-scale must be a positive number'],
      [['extra'], 'unexpected argument "extra"'],
    ] as const) {
      const h = harness();
      const error = await rejection(h.command.run([...argv]));
      expect(error, argv.join(' ')).to.be.instanceOf(UsageError);
      expect(error.message, argv.join(' ')).to.contain(message);
      expect(h.started).to.deep.equal([]);
    }
  });

  it('exits 1 with the reason on one line when the server cannot start', async () => {
    const h = harness({ fail: new Error('Data directory /x is already used by local services in process 42; stop them or pick another dataDir') });
    expect(await h.command.run([])).to.equal(1);
    expect(h.err).to.deep.equal(['longhaul serve: Data directory /x is already used by local services in process 42; stop them or pick another dataDir']);
    expect(h.out).to.deep.equal([]);
    expect(h.disposed()).to.equal(1);
  });
});
