import { expect } from 'chai';
import { StatesError } from '../../../local/engine';
import { csvItems, delimiterOf, parseCsvRows } from '../../../local/engine/csv-items';
import { batchItems } from '../../../local/engine/item-batcher';

describe('ItemBatcher', () => {
  const items = [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }, { a: 5 }];

  it('splits by MaxItemsPerBatch and adds BatchInput to every batch', () => {
    expect(batchItems(items, { maxItems: 2, maxBytes: 0 }, { job: 'j' })).to.deep.equal([
      { BatchInput: { job: 'j' }, Items: [{ a: 1 }, { a: 2 }] },
      { BatchInput: { job: 'j' }, Items: [{ a: 3 }, { a: 4 }] },
      { BatchInput: { job: 'j' }, Items: [{ a: 5 }] },
    ]);
  });

  it('keeps each batch within MaxInputBytesPerBatch, counting the whole batch JSON', () => {
    const batches = batchItems(items, { maxItems: 0, maxBytes: 40 }, undefined) as { Items: unknown[] }[];
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify(b))).to.be.at.most(40);
    expect(batches.flatMap((b) => b.Items)).to.deep.equal(items);
    expect(batches.length).to.be.greaterThan(1);
  });

  it('puts everything in one batch within the limits, and rejects an item too big for any batch', () => {
    expect(batchItems(items, { maxItems: 5, maxBytes: 0 }, undefined)).to.have.length(1);
    expect(() => batchItems([{ big: 'x'.repeat(100) }], { maxItems: 0, maxBytes: 50 }, undefined))
      .to.throw(StatesError).with.property('error', 'States.DataLimitExceeded');
  });
});

describe('CSV items', () => {
  it('parses quotes, doubled quotes, CRLF and empty fields; values stay strings', () => {
    const rows = parseCsvRows('id,text,n\r\n1,"a, ""quoted"" b",\r\n2,plain,7\r\n', delimiterOf('COMMA'));
    expect(csvItems(rows.slice(1), rows[0]!)).to.deep.equal([
      { id: '1', text: 'a, "quoted" b', n: '' },
      { id: '2', text: 'plain', n: '7' },
    ]);
  });

  it('uses the configured delimiter and given headers', () => {
    const rows = parseCsvRows('1|x\n2|y', delimiterOf('PIPE'));
    expect(csvItems(rows, ['id', 'v'])).to.deep.equal([{ id: '1', v: 'x' }, { id: '2', v: 'y' }]);
  });
});
