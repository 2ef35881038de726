// The mocha helper other test files rely on: env applied inside, restored after, and handler
// library clients following the switch to a second set of services in the same process.
import { expect } from 'chai';
import * as s3 from '../../../handlers/lib/s3';
import * as progress from '../../../handlers/lib/progress';
import { useLocalServices } from '../../support/services';

describe('test/support/services useLocalServices', () => {
  const before0 = { bucket: process.env.LONGHAUL_BUCKET, s3: process.env.AWS_ENDPOINT_URL_S3 };
  let firstEndpoint = '';

  describe('first services', () => {
    const services = useLocalServices();

    it('points process.env at the services so handler code works unchanged', async () => {
      expect(process.env.LONGHAUL_BUCKET).to.equal(services().bucket);
      expect(process.env.AWS_ENDPOINT_URL_S3).to.equal(services().endpoints.s3);
      firstEndpoint = services().endpoints.s3;
      await s3.putBuffer('only-in-first', 'x');
      await progress.startJob('only-in-first', { step: 's', totalUnits: 1 });
      expect(await s3.exists('only-in-first')).to.equal(true);
    });
  });

  describe('after the first services stopped', () => {
    it('restored the environment', () => {
      expect(process.env.LONGHAUL_BUCKET).to.equal(before0.bucket);
      expect(process.env.AWS_ENDPOINT_URL_S3).to.equal(before0.s3);
    });
  });

  describe('second services', () => {
    const services = useLocalServices({ bucket: 'second-bucket' });

    it('talks to the new servers, not to clients cached for the old ones', async () => {
      expect(services().endpoints.s3).to.not.equal(firstEndpoint);
      expect(await s3.exists('only-in-first')).to.equal(false);
      expect(await progress.getJob('only-in-first')).to.equal(undefined);
      await s3.putBuffer('in-second', 'y');
      expect(await s3.listKeys('', { bucket: 'second-bucket' })).to.deep.equal(['in-second']);
    });
  });
});
