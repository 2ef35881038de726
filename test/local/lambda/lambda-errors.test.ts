import { expect } from 'chai';
import { fromThrown, runtimeExited, timedOut } from '../../../local/lambda/lambda-errors';

describe('local/lambda error shapes', () => {
  it('words a dead runtime as Lambda does', () => {
    expect(runtimeExited('r1', 3, null, false)).to.deep.equal({
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: r1 Error: Runtime exited with error: exit status 3',
    });
    expect(runtimeExited('r1', null, 'SIGKILL', true)).to.deep.equal({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: 'RequestId: r1 Error: Runtime exited with error: signal: killed',
    });
    expect(runtimeExited('r1', 0, null, false).errorMessage).to.equal('RequestId: r1 Error: Runtime exited without providing a reason');
  });

  it('prints the configured timeout with two decimals', () => {
    expect(timedOut('r2', 900).errorMessage).to.equal('RequestId: r2 Error: Task timed out after 900.00 seconds');
  });

  it('turns a thrown non-Error into its type and text', () => {
    expect(fromThrown('plain')).to.deep.equal({ errorType: 'string', errorMessage: 'plain' });
    expect(fromThrown({ code: 7 })).to.deep.equal({ errorType: 'object', errorMessage: '{"code":7}' });
  });
});
