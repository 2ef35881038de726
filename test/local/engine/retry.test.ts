import { expect } from 'chai';
import { errorMatches } from '../../../local/engine/error-matching';
import { findRetrier, retryDelaySeconds } from '../../../local/engine/retry';
import { run } from './harness';

describe('retry', () => {
  it('computes IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, until MaxAttempts', () => {
    const r = { ErrorEquals: ['E'], IntervalSeconds: 3, BackoffRate: 2, MaxAttempts: 4, MaxDelaySeconds: 20 };
    expect([0, 1, 2, 3, 4].map((a) => retryDelaySeconds(r, a))).to.deep.equal([3, 6, 12, 20, undefined]);
  });

  it('defaults to 1 s, rate 2.0 and 3 attempts; MaxAttempts 0 never retries', () => {
    expect([0, 1, 2, 3].map((a) => retryDelaySeconds({ ErrorEquals: ['E'] }, a))).to.deep.equal([1, 2, 4, undefined]);
    expect(retryDelaySeconds({ ErrorEquals: ['E'], MaxAttempts: 0 }, 0)).to.equal(undefined);
  });

  it('FULL jitter picks a delay between 0 and the computed one', () => {
    const r = { ErrorEquals: ['E'], IntervalSeconds: 10, JitterStrategy: 'FULL' as const };
    expect(retryDelaySeconds(r, 1, () => 0.25)).to.equal(5);
    expect(retryDelaySeconds(r, 0, () => 0)).to.equal(0);
  });

  it('matches names with AWS wildcard rules', () => {
    expect(errorMatches(['States.ALL'], 'Anything')).to.equal(true);
    expect(errorMatches(['States.ALL'], 'States.Timeout')).to.equal(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).to.equal(false);
    expect(errorMatches(['States.TaskFailed'], 'Lambda.ServiceException')).to.equal(true);
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded')).to.equal(false);
    expect(errorMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded')).to.equal(true);
    expect(errorMatches(['States.ALL', 'States.Runtime'], 'States.Runtime')).to.equal(false);
    expect(findRetrier([{ ErrorEquals: ['A'] }, { ErrorEquals: ['B', 'C'] }], 'C')).to.equal(1);
  });

  it('waits the scaled back-off between attempts (time scale 0.01: 2 s → 20 ms, 6 s → 60 ms)', async () => {
    const result = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Flaky', Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 }], End: true } } },
      { key: 'timing', times: 2, errorType: 'Transient' },
      { timeScale: 0.01 },
    );
    expect(result.status).to.equal('SUCCEEDED');
    const failed = result.history.filter((e) => e.type === 'LambdaFunctionFailed');
    const scheduled = result.history.filter((e) => e.type === 'LambdaFunctionScheduled');
    expect(scheduled).to.have.length(3);
    // Lower bounds only: a retry must never come earlier than its back-off.
    expect(scheduled[1]!.timestamp.getTime() - failed[0]!.timestamp.getTime()).to.be.at.least(19);
    expect(scheduled[2]!.timestamp.getTime() - failed[1]!.timestamp.getTime()).to.be.at.least(59);
    // And the retry is chained to the failure it follows.
    expect(scheduled[1]!.previousEventId).to.equal(failed[0]!.id);
  });
});
