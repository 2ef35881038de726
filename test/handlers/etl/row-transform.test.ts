// The transform interface: a module's typed rows in and out of the partition's array rows, its
// declarations enforced, the spec's own where as a step of the same chain, and the chain's order.
import { expect } from 'chai';
import { InternalError } from '../../../handlers/lib/errors';
import { moduleTransform, valueProblem } from '../../../handlers/etl/module-transform';
import type { EtlValue } from '../../../handlers/etl/parquet-values';
import { chainTransforms, defineTransform, FILTERED, reject, Rejection, type RowTransform } from '../../../handlers/etl/row-transform';
import { etlSpecSchema, type TypedColumn } from '../../../handlers/etl/spec';
import { specTransform } from '../../../handlers/etl/spec-transform';
import { thrown } from '../../support/thrown';

const input: TypedColumn[] = [
  { name: 'id', type: { kind: 'int', nullable: false } },
  { name: 'price', type: { kind: 'decimal', nullable: true, precision: 10, scale: 2 } },
  { name: 'name', type: { kind: 'string', nullable: true } },
];

/** Reads price and name (not in input order), derives two columns, filters and rejects by name. */
const labelled = defineTransform({
  name: 'labelled',
  description: 'test module',
  reads: { name: 'string', price: 'decimal(10,2)' },
  outputs: { label: 'string!', cents: 'int' },
  map(row) {
    if (row.name === 'skip') return FILTERED;
    if (row.name === 'bad') return reject(`name: "bad" at price ${row.price}`);
    return { label: `${row.name ?? '?'}@${row.price ?? 'free'}`, cents: row.price };
  },
});

function apply(step: RowTransform, row: EtlValue[]) {
  return step.apply(row);
}

describe('handlers/etl/row-transform', () => {
  describe('moduleTransform', () => {
    const step = moduleTransform(labelled, input);

    it('hands the module its columns by name and appends its outputs to the row', () => {
      expect(step.name).to.equal('labelled');
      expect(step.columns.map((c) => c.name)).to.deep.equal(['id', 'price', 'name', 'label', 'cents']);
      expect(step.columns[3]!.type).to.deep.equal({ kind: 'string', nullable: false });
      expect(apply(step, [7n, 1250n, 'tea'])).to.deep.equal([7n, 1250n, 'tea', 'tea@1250', 1250n]);
      expect(apply(step, [8n, null, null])).to.deep.equal([8n, null, null, '?@free', null]);
    });

    it('passes FILTERED and rejections through, with the module\'s reason', () => {
      expect(apply(step, [1n, 5n, 'skip'])).to.equal(FILTERED);
      const out = apply(step, [1n, 5n, 'bad']);
      expect(out).to.be.instanceOf(Rejection);
      expect((out as Rejection).reason).to.equal('name: "bad" at price 5');
    });

    it('leaves the row it was given as it was', () => {
      const row: EtlValue[] = [7n, 1250n, 'tea'];
      apply(step, row);
      expect(row).to.deep.equal([7n, 1250n, 'tea']);
    });

    it('fails with InternalError, naming the module, the column and the row, when a module breaks its own declarations', () => {
      const liar = defineTransform({
        name: 'liar',
        description: 'test module',
        reads: { id: 'int!' },
        outputs: { n: 'int!' },
        // What the types forbid, as a module compiled elsewhere or cast its way out could still do.
        map: (row) => ({ n: (row.id === 1n ? 1.5 : row.id === 2n ? null : row.id) as bigint }),
      });
      const bad = moduleTransform(liar, input);
      expect(apply(bad, [3n, null, null])).to.deep.equal([3n, null, null, 3n]);
      expect(thrown(InternalError, () => apply(bad, [1n, null, null])).message).to.equal(
        'transform liar gave n = 1.5 for id=1n: a number where a int is a bigint (declared int!)',
      );
      expect(thrown(InternalError, () => apply(bad, [2n, null, null])).message).to.match(/gave n = null for id=2n: null in a not-null column/);
    });

    it('refuses input columns that lack what the module reads (a spec that skipped validation)', () => {
      expect(thrown(InternalError, () => moduleTransform(labelled, input.slice(0, 2))).message).to.match(/labelled reads name, which is not a column \(id, price\)/);
    });
  });

  it('valueProblem: each kind\'s representation, range and nullability', () => {
    const t = (kind: TypedColumn['type']['kind'], extra: Partial<TypedColumn['type']> = {}) => ({ kind, nullable: false, ...extra });
    expect(valueProblem(t('int'), 2n ** 63n)).to.equal('outside the 64-bit range');
    expect(valueProblem(t('int'), -(2n ** 63n))).to.equal(null);
    expect(valueProblem(t('decimal', { precision: 4, scale: 2 }), 9999n)).to.equal(null);
    expect(valueProblem(t('decimal', { precision: 4, scale: 2 }), -10000n)).to.match(/more than 4 digits/);
    expect(valueProblem(t('date'), 1.5)).to.equal('not a whole number of days');
    expect(valueProblem(t('timestamp'), 5)).to.equal('a number where a timestamp is a bigint');
    expect(valueProblem(t('bool'), 'true')).to.equal('a string where a bool is a boolean');
    expect(valueProblem(t('string'), undefined)).to.equal('no value');
    expect(valueProblem(t('float', { nullable: true }), null)).to.equal(null);
    expect(valueProblem(t('float'), NaN)).to.equal(null);
  });

  it('chainTransforms: each step gets the previous one\'s row; the first FILTERED or rejection ends the row', () => {
    const calls: string[] = [];
    const step = (name: string, f: (row: readonly EtlValue[]) => ReturnType<RowTransform['apply']>): RowTransform => ({
      name,
      columns: [],
      apply: (row) => {
        calls.push(name);
        return f(row);
      },
    });
    const chain = chainTransforms('t', [step('double', (r) => r.map((v) => (v as bigint) * 2n)), step('gate', (r) => ((r[0] as bigint) > 4n ? FILTERED : r)), step('last', (r) => [...r, 'ok'])], []);
    expect(chain.apply([2n])).to.deep.equal([4n, 'ok']);
    expect(calls).to.deep.equal(['double', 'gate', 'last']);
    calls.length = 0;
    expect(chain.apply([3n])).to.equal(FILTERED);
    expect(calls).to.deep.equal(['double', 'gate']);
    expect(chainTransforms('none', [], input).apply([1n, 2n, 'x'])).to.deep.equal([1n, 2n, 'x']);
    expect(chainTransforms('none', [], input).columns).to.equal(input);
  });

  describe('specTransform (the spec as a transform)', () => {
    const columns = { date: 'timestamp', delay: 'int', distance: 'int', origin: 'string!', destination: 'string!' };

    it('without a module it is the where alone, over the spec\'s columns', () => {
      const spec = etlSpecSchema.parse({ columns, where: [{ column: 'delay', op: '>', value: 10 }], aggregates: { n: 'count' } });
      const t = specTransform(spec);
      expect(t.columns).to.deep.equal(spec.columns);
      expect(t.apply([0n, 11n, 100n, 'A', 'B'])).to.deep.equal([0n, 11n, 100n, 'A', 'B']);
      expect(t.apply([0n, 10n, 100n, 'A', 'B'])).to.equal(FILTERED);
      expect(t.apply([0n, null, 100n, 'A', 'B'])).to.equal(FILTERED);
    });

    it('with a module: the module first, then the where, which may name the module\'s outputs', () => {
      const spec = etlSpecSchema.parse({
        columns,
        transform: 'flight-delays',
        where: [{ column: 'delay_bucket', op: '!=', value: 'early' }],
        aggregates: { n: 'count' },
      });
      const t = specTransform(spec);
      expect(t.columns.map((c) => c.name)).to.deep.equal(['date', 'delay', 'distance', 'origin', 'destination', 'route', 'delay_bucket', 'delay_per_100mi']);
      expect(t.apply([0n, 30n, 600n, 'ORD', 'LAX'])).to.deep.equal([0n, 30n, 600n, 'ORD', 'LAX', 'ORD-LAX', 'late', 5]);
      expect(t.apply([0n, -5n, 600n, 'ORD', 'LAX'])).to.equal(FILTERED);
      // The module rejects before the where could filter: a bad row is reported whatever the filter.
      expect((t.apply([0n, -5n, 600n, 'ORD', 'ORD']) as Rejection).reason).to.equal('origin and destination are both ORD');
    });

    it('with a module and no where, it is the module', () => {
      const spec = etlSpecSchema.parse({ columns, transform: 'flight-delays', aggregates: { n: 'count' } });
      expect(specTransform(spec).name).to.equal('flight-delays');
      expect(specTransform(spec).apply([0n, null, 600n, 'ORD', 'LAX'])).to.equal(FILTERED);
    });
  });
});
