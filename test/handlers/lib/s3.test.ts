import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as s3 from '../../../handlers/lib/s3';
import { InputNotFound, InvalidInput } from '../../../handlers/lib/errors';
import { useLocalServices } from '../../support/services';
import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { WORK_RETENTION_TAG } from '../../../handlers/lib/storage-layout';
import { rejection } from '../../support/rejection';
import { useAccessGrant } from '../../support/access-grant';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A stream with no length known up front, in uneven chunks, as ffmpeg or a transform would produce. */
function unknownLengthStream(data: Buffer): Readable {
  let offset = 0;
  let i = 0;
  return new Readable({
    read() {
      if (offset >= data.length) return this.push(null);
      const size = 1000 + ((i++ * 7919) % 300_000);
      this.push(data.subarray(offset, offset + size));
      offset += size;
    },
  });
}


describe('handlers/lib/s3 (against s3rver)', () => {
  const services = useLocalServices();

  it('tags work/ intermediates for the lifecycle rule and leaves inputs and outputs untagged', async () => {
    const tagsOf = async (key: string) =>
      (await s3.s3Client().send(new GetObjectTaggingCommand({ Bucket: services().bucket, Key: key }))).TagSet ?? [];
    await s3.putJson('jobs/t1/work/plan.json', { a: 1 });
    await s3.putStream('jobs/t1/work/big.bin', Readable.from([randomBytes(6 * 1024 * 1024), randomBytes(3 * 1024 * 1024)]));
    await s3.putBuffer('jobs/t1/output/result.txt', 'done');
    await s3.putBuffer('jobs/t1/input/source.txt', 'in');
    const tag = [{ Key: WORK_RETENTION_TAG.key, Value: WORK_RETENTION_TAG.value }];
    expect(await tagsOf('jobs/t1/work/plan.json')).to.deep.equal(tag);
    expect(await tagsOf('jobs/t1/work/big.bin')).to.deep.equal(tag);
    expect(await tagsOf('jobs/t1/output/result.txt')).to.deep.equal([]);
    expect(await tagsOf('jobs/t1/input/source.txt')).to.deep.equal([]);
  });
  it('tags a multipart upload in CreateMultipartUpload itself, never in a second call after completion', async () => {
    const sent: { command: string; tagging?: string }[] = [];
    const client = s3.s3Client();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ command: String(context.commandName), tagging: (args.input as { Tagging?: string }).Tagging });
        return next(args);
      },
      { step: 'initialize', name: 'recordForTest' },
    );
    try {
      await s3.putStream('jobs/t2/work/big.bin', Readable.from([randomBytes(6 * 1024 * 1024), randomBytes(3 * 1024 * 1024)]));
      await s3.putStream('jobs/t2/work/small.bin', Readable.from([Buffer.from('small')]));
    } finally {
      client.middlewareStack.remove('recordForTest');
    }
    const tagging = `${WORK_RETENTION_TAG.key}=${WORK_RETENTION_TAG.value}`;
    expect(sent.map((s) => s.command)).to.not.include('PutObjectTaggingCommand');
    expect(sent.find((s) => s.command === 'CreateMultipartUploadCommand')?.tagging).to.equal(tagging);
    expect(sent.find((s) => s.command === 'PutObjectCommand')?.tagging).to.equal(tagging);
    for (const key of ['jobs/t2/work/big.bin', 'jobs/t2/work/small.bin']) {
      const out = await s3.s3Client().send(new GetObjectTaggingCommand({ Bucket: services().bucket, Key: key }));
      expect(out.TagSet, key).to.deep.equal([{ Key: WORK_RETENTION_TAG.key, Value: WORK_RETENTION_TAG.value }]);
    }
  });

  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-s3-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a 20 MB stream of unknown length byte-identically (multipart)', async () => {
    const data = randomBytes(20 * 1024 * 1024);
    await s3.putStream('jobs/j1/work/big.bin', unknownLengthStream(data), { contentType: 'application/octet-stream' });
    const info = await s3.head('jobs/j1/work/big.bin');
    expect(info?.size).to.equal(data.length);
    const chunks: Buffer[] = [];
    for await (const chunk of await s3.getStream('jobs/j1/work/big.bin')) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).to.equal(sha256(data));

    const file = join(dir, 'big.bin');
    expect(await s3.downloadToFile('jobs/j1/work/big.bin', file)).to.equal(data.length);
    expect(sha256(await readFile(file))).to.equal(sha256(data));
    expect(await readdir(dir)).to.deep.equal(['big.bin']); // no temp file left beside it
  });

  it('reads byte ranges, clamping the end to the object size', async () => {
    const data = Buffer.from('0123456789abcdef');
    await s3.putBuffer('r/range.txt', data);
    expect((await s3.getRange('r/range.txt', 0, 0)).toString()).to.equal('0');
    expect((await s3.getRange('r/range.txt', 3, 7)).toString()).to.equal('34567');
    expect((await s3.getRange('r/range.txt', 10, 1000)).toString()).to.equal('abcdef');
  });

  it('rejects impossible ranges with InvalidInput naming the key', async () => {
    await s3.putBuffer('r/short.txt', 'abc');
    const past = await rejection(s3.getRange('r/short.txt', 10, 20));
    expect(past).to.be.instanceOf(InvalidInput);
    expect(past.message).to.include('r/short.txt');
    const backwards = await rejection(s3.getRange('r/short.txt', 2, 1));
    expect(backwards).to.be.instanceOf(InvalidInput);
    expect(backwards.message).to.include('r/short.txt');
  });

  it('says a missing key does not exist and has no head', async () => {
    expect(await s3.exists('nothing/here')).to.equal(false);
    expect(await s3.head('nothing/here')).to.equal(undefined);
    await s3.putBuffer('something/here', 'x');
    expect(await s3.exists('something/here')).to.equal(true);
  });

  // In AWS a role that may not read a key gets 403 on HEAD. Taken for "missing", it would make the
  // idempotency layer silently redo work instead of failing with AccessDenied.
  describe('on a key the caller is denied (local IAM check)', () => {
    useAccessGrant(
      () => ({
        functionName: 'ReadsOnlyPublic',
        bucket: services().bucket,
        objectActions: { 's3:GetObject': ['public/*'] },
        bucketActions: ['s3:ListBucket'],
        tableActions: [],
      }),
      () => s3.putBuffer('private/secret.txt', 'x').then(() => undefined),
    );

    const expectAccessDenied = (err: Error) => {
      expect(err.name).to.equal('AccessDenied');
      expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).to.equal(403);
    };

    const lookups: [string, (key: string) => Promise<unknown>, unknown][] = [
      ['head', (key) => s3.head(key), undefined],
      ['exists', (key) => s3.exists(key), false],
    ];
    for (const [name, lookup, missing] of lookups) {
      it(`${name} rejects with AccessDenied (403), whether or not the key exists, instead of answering ${missing}`, async () => {
        expectAccessDenied(await rejection(lookup('private/secret.txt')));
        expectAccessDenied(await rejection(lookup('private/never-written.txt')));
        // The grant does not deny everything: a readable key that is missing still reads as missing.
        expect(await lookup('public/never-written.txt')).to.equal(missing);
      });
    }
  });

  it('throws InputNotFound naming the key for a missing object', async () => {
    for (const attempt of [
      s3.getStream('jobs/j1/input/missing.mp4'),
      s3.getText('jobs/j1/input/missing.mp4'),
      s3.getJson('jobs/j1/input/missing.mp4'),
      s3.downloadToFile('jobs/j1/input/missing.mp4', join(dir, 'missing.mp4')),
    ]) {
      const err = await rejection(attempt);
      expect(err).to.be.instanceOf(InputNotFound);
      expect(err.name).to.equal('InputNotFound');
      expect(err.message).to.include('jobs/j1/input/missing.mp4');
      expect((err as InputNotFound).details.key).to.equal('jobs/j1/input/missing.mp4');
    }
    expect(await readdir(dir)).to.not.include('missing.mp4');
  });

  it('round-trips JSON and text, and names the key of a non-JSON object', async () => {
    await s3.putJson('j/doc.json', { a: [1, 2], b: 'é' });
    expect(await s3.getJson('j/doc.json')).to.deep.equal({ a: [1, 2], b: 'é' });
    await s3.putBuffer('j/plain.txt', 'not json');
    expect(await s3.getText('j/plain.txt')).to.equal('not json');
    const err = await rejection(s3.getJson('j/plain.txt'));
    expect(err).to.be.instanceOf(InvalidInput);
    expect(err.message).to.include('j/plain.txt');
  });

  it('uploads a file', async () => {
    const file = join(dir, 'up.txt');
    await writeFile(file, 'file body');
    await s3.uploadFile(file, 'u/up.txt', { contentType: 'text/plain' });
    expect(await s3.getText('u/up.txt')).to.equal('file body');
  });

  // Paging also guards local/services/s3rver-list-token.ts: s3rver's next-page token needs DES, gone from node >= 17.
  it('lists every key under a prefix across pages and deletes them', async () => {
    const keys = Array.from({ length: 23 }, (_, i) => `list/k${String(i).padStart(2, '0')}`);
    await Promise.all(keys.map((k) => s3.putBuffer(k, '')));
    await s3.putBuffer('listing-not-in-prefix', '');
    expect(await s3.listKeys('list/', { pageSize: 5 })).to.deep.equal(keys);
    expect(await s3.listKeys('list/')).to.deep.equal(keys);
    await s3.deleteKeys([...keys, 'list/never-existed']);
    expect(await s3.listKeys('list/')).to.deep.equal([]);
    expect(await s3.exists('listing-not-in-prefix')).to.equal(true);
  });

  it('targets another bucket when told to', async () => {
    const err = await rejection(s3.putBuffer('x', 'y', { bucket: 'no-such-bucket' }));
    expect(err.name).to.equal('NoSuchBucket');
    const read = await rejection(s3.getText('x', { bucket: 'no-such-bucket' }));
    expect(read).to.not.be.instanceOf(InputNotFound);
    expect(read.message).to.include('no-such-bucket').and.include('LONGHAUL_BUCKET');
    expect(services().bucket).to.not.equal('no-such-bucket');
  });
});
