import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalServices, type LocalServices } from '../../../local/services';
import { progressTable } from '../../../handlers/lib/storage-layout';

// Plain SDK clients built only from what the services hand out, as a handler process would.
function clientsFor(s: LocalServices) {
  const common = { region: s.region, credentials: s.credentials };
  return {
    s3: new S3Client({
      ...common,
      endpoint: s.endpoints.s3,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    dynamo: new DynamoDBClient({ ...common, endpoint: s.endpoints.dynamodb }),
    destroy() {
      this.s3.destroy();
      this.dynamo.destroy();
    },
  };
}

async function readObject(s: LocalServices, key: string): Promise<string> {
  const c = clientsFor(s);
  try {
    const out = await c.s3.send(new GetObjectCommand({ Bucket: s.bucket, Key: key }));
    return await out.Body!.transformToString();
  } finally {
    c.destroy();
  }
}

async function writeObject(s: LocalServices, key: string, body: string): Promise<void> {
  const c = clientsFor(s);
  try {
    await c.s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: body }));
  } finally {
    c.destroy();
  }
}

async function putItem(s: LocalServices, pk: string): Promise<void> {
  const c = clientsFor(s);
  try {
    await c.dynamo.send(new PutItemCommand({ TableName: s.table, Item: { pk: { S: pk }, sk: { S: 'JOB' } } }));
  } finally {
    c.destroy();
  }
}

async function hasItem(s: LocalServices, pk: string): Promise<boolean> {
  const c = clientsFor(s);
  try {
    const out = await c.dynamo.send(new GetItemCommand({ TableName: s.table, Key: { pk: { S: pk }, sk: { S: 'JOB' } } }));
    return out.Item !== undefined;
  } finally {
    c.destroy();
  }
}

describe('local/services', () => {
  const running: LocalServices[] = [];
  const dirs: string[] = [];
  const start = async (opts?: Parameters<typeof startLocalServices>[0]) => {
    const s = await startLocalServices(opts);
    running.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('starts on free loopback ports with the bucket and the shared table ready, and hands out a complete env', async () => {
    const s = await start({ bucket: 'my-bucket', table: 'my-table', region: 'eu-west-1' });
    expect(s.endpoints.s3).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.endpoints.dynamodb).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.endpoints.s3).to.not.equal(s.endpoints.dynamodb);
    expect(s.env).to.include({
      LONGHAUL_BUCKET: 'my-bucket',
      LONGHAUL_TABLE: 'my-table',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_S3: s.endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB: s.endpoints.dynamodb,
      AWS_ACCESS_KEY_ID: s.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    });

    await writeObject(s, 'hello.txt', 'hi'); // the bucket exists and our key pair is accepted
    expect(await readObject(s, 'hello.txt')).to.equal('hi');

    const c = clientsFor(s);
    try {
      const table = (await c.dynamo.send(new DescribeTableCommand({ TableName: 'my-table' }))).Table!;
      expect(table.TableStatus).to.equal('ACTIVE');
      expect(table.KeySchema).to.deep.equal([
        { AttributeName: progressTable.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: progressTable.sortKey.name, KeyType: 'RANGE' },
      ]);
      expect(table.BillingModeSummary?.BillingMode).to.equal('PAY_PER_REQUEST');
    } finally {
      c.destroy();
    }
  });

  it('runs two instances at once without sharing ports or data', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(new Set([a.endpoints.s3, a.endpoints.dynamodb, b.endpoints.s3, b.endpoints.dynamodb]).size).to.equal(4);
    expect(a.dataDir).to.not.equal(b.dataDir);
    await writeObject(a, 'only-in-a', 'a');
    await putItem(a, 'JOB#only-in-a');
    expect(await readObject(a, 'only-in-a')).to.equal('a');
    let missing: unknown;
    try {
      await readObject(b, 'only-in-a');
    } catch (err) {
      missing = err;
    }
    expect((missing as Error).name).to.equal('NoSuchKey');
    expect(await hasItem(b, 'JOB#only-in-a')).to.equal(false);
  });

  it('keeps objects and items across a restart with the same dataDir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'longhaul-services-test-'));
    dirs.push(dataDir);
    const first = await startLocalServices({ dataDir });
    try {
      await writeObject(first, 'kept.txt', 'still here');
      await putItem(first, 'JOB#kept');
    } finally {
      await first.stop();
    }
    expect(existsSync(dataDir)).to.equal(true); // a given dataDir is the user's: never removed

    const second = await start({ dataDir });
    expect(await readObject(second, 'kept.txt')).to.equal('still here');
    expect(await hasItem(second, 'JOB#kept')).to.equal(true);
  });

  it('refuses a dataDir in use, and takes over the lock of a process that died', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'longhaul-services-test-'));
    dirs.push(dataDir);
    await start({ dataDir });
    let refused: unknown;
    try {
      await startLocalServices({ dataDir });
    } catch (err) {
      refused = err;
    }
    expect((refused as Error).message).to.include(dataDir).and.include('already used');
    await Promise.all(running.splice(0).map((s) => s.stop()));

    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await writeFile(join(dataDir, '.longhaul-services.lock'), String(dead));
    const again = await start({ dataDir });
    await writeObject(again, 'after-takeover', 'ok');
    expect(await readObject(again, 'after-takeover')).to.equal('ok');
  });

  it('removes its own temp dataDir at stop, and stop is safe to call twice', async () => {
    const s = await startLocalServices();
    expect(existsSync(s.dataDir)).to.equal(true);
    await s.stop();
    await s.stop();
    expect(existsSync(s.dataDir)).to.equal(false);
    let refused: unknown;
    try {
      await readObject(s, 'x');
    } catch (err) {
      refused = err;
    }
    expect(refused).to.be.instanceOf(Error); // nothing listens any more
  });
});

describe('local/services in a process that exits without stop()', () => {
  it('removes its temp dataDir on exit', () => {
    const script = `
      import { startLocalServices } from ${JSON.stringify(join(process.cwd(), 'local/services/index.ts'))};
      const s = await startLocalServices();
      console.log(s.dataDir);
      process.exit(0);
    `;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(out.status, out.stderr).to.equal(0);
    const dataDir = out.stdout.trim();
    expect(dataDir).to.match(/longhaul-services-/);
    expect(existsSync(dataDir)).to.equal(false);
  });
});
