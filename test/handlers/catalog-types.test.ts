import { expect } from 'chai';
import { arnPlaceholder } from '../../handlers/asl-placeholders';
import { kebabName } from '../../handlers/catalog-types';
import { localFunctionArn } from '../../local/local-arn';

describe('catalog naming', () => {
  it('derives the ASL placeholder, the deployed suffix and the local ARN from one name', () => {
    expect(arnPlaceholder('VideoSplit')).to.equal('VideoSplitArn');
    expect(kebabName('VideoTranscodeChunk')).to.equal('video-transcode-chunk');
    expect(kebabName('EtlS3Reader')).to.equal('etl-s3-reader');
    expect(localFunctionArn('VideoSplit', 'eu-west-1')).to.equal(
      'arn:aws:lambda:eu-west-1:000000000000:function:VideoSplit',
    );
  });
});
