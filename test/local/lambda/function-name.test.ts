import { expect } from 'chai';
import { localFunctionArn } from '../../../local/local-arn';
import { resolveFunctionName } from '../../../local/lambda/function-name';

describe('local/lambda function name resolution', () => {
  it('accepts a plain name, the local ARN and the $LATEST-qualified ARN', () => {
    const arn = localFunctionArn('VideoSplit', 'eu-west-1');
    expect(resolveFunctionName('VideoSplit', 'eu-west-1')).to.deep.equal({ ok: true, name: 'VideoSplit' });
    expect(resolveFunctionName(arn, 'eu-west-1')).to.deep.equal({ ok: true, name: 'VideoSplit' });
    expect(resolveFunctionName(`${arn}:$LATEST`, 'eu-west-1')).to.deep.equal({ ok: true, name: 'VideoSplit' });
  });

  it('refuses another region or a version that does not exist locally, saying why', () => {
    const other = resolveFunctionName(localFunctionArn('VideoSplit', 'us-east-1'), 'eu-west-1');
    expect(other).to.deep.equal({ ok: false, reason: 'ARN region us-east-1 is not the local region eu-west-1' });
    const versioned = resolveFunctionName(`${localFunctionArn('VideoSplit', 'eu-west-1')}:3`, 'eu-west-1');
    expect(versioned.ok).to.equal(false);
    expect(versioned.ok ? '' : versioned.reason).to.match(/\$LATEST.*"3"/);
  });
});
