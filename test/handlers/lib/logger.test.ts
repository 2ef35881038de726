import { expect } from 'chai';
import { createLogger, withInvocation } from '../../../handlers/lib/logger';

/** Captures what the logger writes to stdout during `fn` (Powertools writes one JSON object per line). */
function captureStdout(fn: () => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = original;
  }
  return lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('handlers/lib/logger', () => {
  it('logs JSON lines with the service, job id and request id', () => {
    const logger = createLogger('video-split');
    const entries = captureStdout(() => {
      withInvocation(logger, { jobId: 'job-7', context: { awsRequestId: 'req-1' } }).info('split done', { chunks: 4 });
    });
    expect(entries).to.have.length(1);
    expect(entries[0]).to.include({ message: 'split done', service: 'video-split', jobId: 'job-7', requestId: 'req-1', chunks: 4, level: 'INFO' });
  });

  it('does not leak one invocation\'s keys into the next', () => {
    const logger = createLogger('etl');
    const entries = captureStdout(() => {
      withInvocation(logger, { jobId: 'first', context: { awsRequestId: 'r1' } }).info('one');
      withInvocation(logger, { context: { awsRequestId: 'r2' } }).info('two');
      logger.info('three');
    });
    expect(entries.map((e) => [e.jobId, e.requestId])).to.deep.equal([
      ['first', 'r1'],
      [undefined, 'r2'],
      [undefined, undefined],
    ]);
  });
});
