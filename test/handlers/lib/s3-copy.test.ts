// Server-side copies: the bytes arrive without passing through the function, the copy gets its own tags
// (an output copied from work/ must not inherit work/'s expiry), and the local IAM check asks for what AWS
// asks for: GetObject on the source and PutObject on the destination.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { GetObjectTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { COPY_PART_BYTES, copyObject, copyParts, copySource } from '../../../handlers/lib/s3-copy';
import { getRange, putBuffer, s3Client } from '../../../handlers/lib/s3';
import { readRequestCounts, resetRequestCounts } from '../../../handlers/lib/request-counts';
import { useAccessGrant } from '../../support/access-grant';
import { rejection } from '../../support/rejection';
import { useLocalServices } from '../../support/services';

describe('handlers/lib/s3-copy', () => {
  const services = useLocalServices();

  it('plans multipart copy parts that cover the object exactly, within S3’s 10,000 parts', () => {
    const parts = copyParts(5 * COPY_PART_BYTES + 7);
    expect(parts).to.have.length(6);
    expect(parts[0]).to.deep.equal({ first: 0, last: COPY_PART_BYTES - 1 });
    expect(parts[5]).to.deep.equal({ first: 5 * COPY_PART_BYTES, last: 5 * COPY_PART_BYTES + 6 });
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.first).to.equal(parts[i - 1]!.last + 1);
    // 5 TB, S3's largest object, still fits: parts grow instead.
    const huge = copyParts(5 * 1024 ** 4);
    expect(huge.length).to.be.at.most(10_000);
    expect(huge[huge.length - 1]!.last).to.equal(5 * 1024 ** 4 - 1);
  });

  it('encodes the source key segment by segment for x-amz-copy-source', () => {
    expect(copySource('b', 'jobs/a b/work/merge/v+1.mp4')).to.equal('b/jobs/a%20b/work/merge/v%2B1.mp4');
  });

  it('copies a work/ object to output/ server-side: same bytes, none through the function, and no work/ expiry tag', async () => {
    const data = randomBytes(300_000);
    const source = 'jobs/copy/work/merge/video.mp4';
    const dest = 'jobs/copy/output/video.mp4';
    await putBuffer(source, data, { contentType: 'video/mp4' });
    resetRequestCounts();
    await copyObject(source, dest, { size: data.length });
    const counts = readRequestCounts();
    expect([counts.s3.put, counts.s3BytesWritten, counts.s3BytesRead]).to.deep.equal([1, 0, 0]);
    expect((await getRange(dest, 0, data.length - 1)).equals(data)).to.equal(true);
    const bucket = services().bucket;
    expect((await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: dest }))).ContentType).to.equal('video/mp4');
    expect((await s3Client().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: dest }))).TagSet ?? []).to.deep.equal([]);
  });

  describe('under the local IAM check', () => {
    useAccessGrant(
      () => ({
        functionName: 'WritesOutputOnly',
        bucket: services().bucket,
        objectActions: { 's3:PutObject': ['jobs/*/output/*'], 's3:GetObject': ['jobs/*/output/*'] },
        bucketActions: ['s3:ListBucket'],
        tableActions: [],
      }),
      () => putBuffer('jobs/copy/work/secret.bin', 'x'),
    );

    it('a copy needs GetObject on its source, not only PutObject on its destination', async () => {
      const err = await rejection(copyObject('jobs/copy/work/secret.bin', 'jobs/copy/output/secret.bin', { size: 1 }));
      expect(err.name).to.equal('AccessDenied');
      expect(err.message).to.contain('s3:GetObject').and.contain('jobs/copy/work/secret.bin');
    });
  });
});
