import { expect } from 'chai';
import { ERRORS, InputNotFound, InternalError, InvalidInput, JobMismatch, TransientError, describeError, isNotFound } from '../../../handlers/lib/errors';
import { ChunkOverBudget } from '../../../handlers/video/encode-chunk';
import { VerificationFailed } from '../../../handlers/video/verify';

describe('handlers/lib/errors', () => {
  it('gives each error the stable name ASL matches on', () => {
    expect(new InvalidInput('x').name).to.equal('InvalidInput');
    expect(new InputNotFound('x').name).to.equal('InputNotFound');
    expect(new TransientError('x').name).to.equal('TransientError');
    expect(new InvalidInput('x')).to.be.instanceOf(Error);
    expect(new InputNotFound('x')).to.not.be.instanceOf(InvalidInput);
    // Lambda's trace is the stack: its first line must carry the name too.
    expect(new InputNotFound('gone', { key: 'k' }).stack).to.match(/^InputNotFound: gone \(key "k"\)\n/);
    expect(String(new TransientError('busy'))).to.equal('TransientError: busy');
  });

  it('every error class carries a name of the table, in its stack header too (Lambda reports the stack as the trace)', () => {
    const made = [new InvalidInput('m'), new InputNotFound('m'), new JobMismatch('m'), new TransientError('m'), new InternalError('m'), new ChunkOverBudget('m'), new VerificationFailed('m')];
    expect(made.map((e) => e.name).sort()).to.deep.equal(Object.keys(ERRORS).sort());
    for (const err of made) expect(err.stack, err.name).to.match(new RegExp(`^${err.name}: m\n`));
    expect([ERRORS.TransientError.retry, ERRORS.InvalidInput.retry, ERRORS.InternalError.retry]).to.deep.equal(['transient', 'never', 'bug']);
  });

  it('puts the key, field and row into the message when the message does not name them', () => {
    const err = new InvalidInput('Bad CSV value', { key: 'jobs/j1/input/a.csv', field: 'price', row: 12 });
    expect(err.message).to.equal('Bad CSV value (key "jobs/j1/input/a.csv", field "price", row 12)');
    expect(err.details).to.deep.equal({ key: 'jobs/j1/input/a.csv', field: 'price', row: 12 });
  });

  it('does not repeat a key the message already names', () => {
    const err = new InputNotFound('Missing jobs/j1/input/a.mp4', { key: 'jobs/j1/input/a.mp4' });
    expect(err.message).to.equal('Missing jobs/j1/input/a.mp4');
  });

  it('keeps extra details and an empty details object by default', () => {
    expect(new TransientError('busy', { retryAfterMs: 5 }).details).to.deep.equal({ retryAfterMs: 5 });
    expect(new TransientError('busy').details).to.deep.equal({});
  });

  it('recognises the SDK ways of saying "not found"', () => {
    expect(isNotFound({ name: 'NoSuchKey' })).to.equal(true);
    expect(isNotFound({ name: 'NotFound' })).to.equal(true);
    expect(isNotFound({ name: 'Unknown', $metadata: { httpStatusCode: 404 } })).to.equal(true);
    expect(isNotFound({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).to.equal(false);
    expect(isNotFound(new Error('NoSuchKey'))).to.equal(false);
    expect(isNotFound(undefined)).to.equal(false);
    expect(isNotFound('NoSuchKey')).to.equal(false);
  });

  it('describes any thrown value as an (error, cause) pair', () => {
    expect(describeError(new InvalidInput('bad', { field: 'f' }))).to.deep.equal({ error: 'InvalidInput', cause: 'bad (field "f")' });
    expect(describeError('boom')).to.deep.equal({ error: 'Error', cause: 'boom' });
    expect(describeError({ a: 1 })).to.deep.equal({ error: 'Error', cause: '{"a":1}' });
  });
});
