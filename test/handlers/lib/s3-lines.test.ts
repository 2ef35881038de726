import { expect } from 'chai';
import { getText, head } from '../../../handlers/lib/s3';
import { getLines, putLines } from '../../../handlers/lib/s3-lines';
import { useLocalServices } from '../../support/services';
import { rejection } from '../../support/rejection';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('s3-lines: newline-delimited objects as streams (local S3)', function () {
  this.timeout(60_000);
  useLocalServices();

  it('round-trips lines past the 5 MiB multipart threshold, in order, with their count', async () => {
    const lines = Array.from({ length: 120_000 }, (_, i) => `{"n":${i},"text":"line ${i} é 😀, with some padding to make it longer"}`);
    async function* slowly() {
      for (const line of lines) yield line;
    }
    expect(await putLines('jobs/t/work/lines.ndjson', slowly())).to.equal(lines.length);
    expect((await head('jobs/t/work/lines.ndjson'))!.size).to.be.greaterThan(5 * 1024 * 1024);
    expect(await collect(getLines('jobs/t/work/lines.ndjson'))).to.deep.equal(lines);
  });

  it('writes an empty object for no lines, and reads it as none', async () => {
    expect(await putLines('jobs/t/work/empty.ndjson', [])).to.equal(0);
    expect(await getText('jobs/t/work/empty.ndjson')).to.equal('');
    expect(await collect(getLines('jobs/t/work/empty.ndjson'))).to.deep.equal([]);
  });

  it('leaves no object when the source fails, small or past the multipart threshold', async () => {
    for (const [key, before] of [
      ['jobs/t/work/failed-small.ndjson', 10],
      ['jobs/t/work/failed-big.ndjson', 200_000],
    ] as const) {
      async function* failing() {
        for (let i = 0; i < before; i++) yield `line ${i} ${'x'.repeat(40)}`;
        throw new Error('the source broke');
      }
      const err = await rejection(putLines(key, failing()));
      expect(err.message).to.equal('the source broke');
      expect(await head(key), key).to.equal(undefined);
    }
  });
});
