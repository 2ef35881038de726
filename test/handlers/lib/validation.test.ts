import { expect } from 'chai';
import { z } from 'zod';
import { InvalidInput } from '../../../handlers/lib/errors';
import { formatPath, jobIdSchema, parseEvent, s3KeySchema } from '../../../handlers/lib/validation';
import { thrown } from '../../support/thrown';

const schema = z.object({
  jobId: jobIdSchema,
  key: s3KeySchema,
  options: z.object({
    height: z.number().int().refine((h) => h % 2 === 0, 'must be even'),
    codecs: z.array(z.enum(['h264', 'vp9'])),
  }),
});

describe('handlers/lib/validation', () => {
  it('returns the parsed event when valid', () => {
    const event = { jobId: 'job-1', key: 'jobs/job-1/input/a.mp4', options: { height: 720, codecs: ['h264'] }, extra: 1 };
    const parsed = parseEvent(schema, event);
    expect(parsed).to.deep.equal({ jobId: 'job-1', key: 'jobs/job-1/input/a.mp4', options: { height: 720, codecs: ['h264'] } });
  });

  it('names every bad field by its path in one InvalidInput', () => {
    const err = thrown(InvalidInput, () =>
      parseEvent(schema, { jobId: 7, key: '/abs', options: { height: 721, codecs: ['h264', 'avi'] } }),
    );
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.match(/^Invalid event: /);
    for (const field of ['jobId: ', 'key: must not start with "/"', 'options.height: must be even', 'options.codecs[1]: ']) {
      expect(err.message).to.include(field);
    }
    const problems = err.details.problems as Array<{ field: string }>;
    expect(problems.map((p) => p.field)).to.deep.equal(['jobId', 'key', 'options.height', 'options.codecs[1]']);
    expect(err.details.field).to.equal('jobId');
  });

  it('reports missing fields and a non-object event', () => {
    expect(thrown(InvalidInput, () => parseEvent(schema, {})).message).to.include('jobId: ').and.include('options: ');
    expect(thrown(InvalidInput, () => parseEvent(schema, null)).message).to.match(/^Invalid event: \(event\): /);
  });

  it('accepts only boring job ids', () => {
    for (const ok of ['a', 'job-1', 'A.b_c-9', 'x'.repeat(128)]) expect(jobIdSchema.safeParse(ok).success, ok).to.equal(true);
    for (const bad of ['', '-a', '.a', 'a/b', 'a b', 'x'.repeat(129), 'é']) expect(jobIdSchema.safeParse(bad).success, bad).to.equal(false);
  });

  it('accepts S3 keys up to 1024 UTF-8 bytes with no leading slash', () => {
    expect(s3KeySchema.safeParse('a/b.txt').success).to.equal(true);
    expect(s3KeySchema.safeParse('é'.repeat(512)).success).to.equal(true); // 1024 bytes
    expect(s3KeySchema.safeParse('é'.repeat(513)).success).to.equal(false);
    expect(s3KeySchema.safeParse('').success).to.equal(false);
    expect(s3KeySchema.safeParse('/a').success).to.equal(false);
  });

  it('formats paths the way a person would write them', () => {
    expect(formatPath(['items', 2, 'key'])).to.equal('items[2].key');
    expect(formatPath([])).to.equal('(event)');
  });
});
