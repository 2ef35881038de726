// A PUT whose client dies mid-body must leave nothing visible: not a truncated new object, not a
// clobbered old one (S3 shows an object only once its upload completed).
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as s3 from '../../../handlers/lib/s3';
import { PARTIAL_SUFFIX } from '../../../local/services/s3rver-atomic-put';
import { useLocalServices } from '../../support/services';

function partialFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(PARTIAL_SUFFIX));
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('local/services s3rver atomic PUT shim', () => {
  const services = useLocalServices();

  /** Sends `sent` of `total` bytes, waits until the server is writing them, then kills the request. */
  async function diedPut(key: string, total: number, sent: number): Promise<void> {
    const bucketDir = path.join(services().dataDir, 's3', services().bucket);
    let pushed = false;
    const body = new Readable({
      read() {
        if (!pushed) {
          pushed = true;
          this.push(Buffer.alloc(sent, 0x7b));
        } // then stall, like a worker killed mid-upload
      },
    });
    const abort = new AbortController();
    const put = s3
      .s3Client()
      .send(new PutObjectCommand({ Bucket: services().bucket, Key: key, Body: body, ContentLength: total }), { abortSignal: abort.signal })
      .catch((err: unknown) => err);
    await until(() => partialFiles(bucketDir).length > 0);
    abort.abort();
    expect(await put).to.be.instanceOf(Error);
    await until(() => partialFiles(bucketDir).length === 0); // the server cleaned up after the dead request
  }

  it('shows no object after a PUT of a new key died mid-body', async () => {
    await diedPut('jobs/a/work/markers/probe.json', 200_000, 100_000);
    expect(await s3.head('jobs/a/work/markers/probe.json')).to.equal(undefined);
    expect(await s3.listKeys('jobs/a/')).to.deep.equal([]);
  });

  it('keeps the old object whole when an overwrite died mid-body', async () => {
    const key = 'jobs/a/output/video.mp4';
    await s3.putBuffer(key, Buffer.alloc(300_000, 1));
    const before = await s3.head(key);
    await diedPut(key, 300_000, 1000);
    expect(await s3.head(key)).to.deep.equal(before);
    const bytes = await s3.getRange(key, 0, 299_999);
    expect(bytes.length).to.equal(300_000);
    expect(bytes.every((b) => b === 1)).to.equal(true);
  });

  it('still stores complete objects, single and multipart', async () => {
    await s3.putBuffer('jobs/a/work/one.txt', 'one');
    expect(await s3.getText('jobs/a/work/one.txt')).to.equal('one');
    const big = Buffer.alloc(11 * 1024 * 1024, 7);
    await s3.putStream('jobs/a/work/big.bin', Readable.from([big]));
    expect((await s3.head('jobs/a/work/big.bin'))?.size).to.equal(big.length);
    expect(partialFiles(path.join(services().dataDir, 's3'))).to.deep.equal([]);
  });
});
