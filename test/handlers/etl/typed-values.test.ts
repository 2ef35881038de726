// CSV text to typed values, checked against DuckDB's own casts where DuckDB reads the same text.
import { expect } from 'chai';
import { compileWhere } from '../../../handlers/etl/row-filter';
import { etlSpecSchema, type ColumnType } from '../../../handlers/etl/spec';
import { epochDay, parseField, parseTextFully } from '../../../handlers/etl/typed-values';
import { seededRandom } from '../../../handlers/lib/seeded-random';
import { InvalidInput } from '../../../handlers/lib/errors';
import { duckRows, useDuckDb } from '../../support/duckdb';
import { thrown } from '../../support/thrown';

const t = (kind: ColumnType['kind'], extra: Partial<ColumnType> = {}): ColumnType => ({ kind, nullable: true, ...extra });
const value = (text: string, type: ColumnType) => {
  const r = parseField(text, type);
  if (!r.ok) throw new Error(`expected ${text} to parse: ${r.reason}`);
  return r.value;
};
const reason = (text: string, type: ColumnType) => {
  const r = parseField(text, type);
  return r.ok ? undefined : r.reason;
};

describe('handlers/etl/typed-values', () => {
  const duck = useDuckDb();

  it('reads timestamps and dates as DuckDB does: microseconds and days since 1970 (UTC when no zone is given)', async () => {
    const stamps = ['2024-02-29 23:59:59', '1969-12-31 23:59:59.999999', '1970-01-01T00:00:00', '2038-01-19 03:14:08.5', '1900-03-01 12:00:00', '2024-06-01 10:00:00+02:00', '2024-06-01 10:00:00Z'];
    for (const s of stamps) {
      const [row] = await duckRows(duck(), `select epoch_us('${s}'::TIMESTAMPTZ) as us`);
      expect(value(s, t('timestamp')), s).to.equal(row!.us);
    }
    for (const d of ['2024-02-29', '1969-12-31', '0001-01-01', '9999-12-31', '1970-01-01']) {
      const [row] = await duckRows(duck(), `select (date '${d}' - date '1970-01-01')::INTEGER as days`);
      expect(value(d, t('date')), d).to.equal(row!.days);
    }
  });

  it('counts days since 1970 as the platform calendar does, for every month of years 1-9999 sampled', () => {
    for (let i = 0; i < 3000; i++) {
      const year = 1 + ((i * 7919) % 9999);
      const month = 1 + (i % 12);
      const day = 1 + ((i * 31) % 28);
      const viaDate = new Date(0);
      viaDate.setUTCFullYear(year, month - 1, day);
      viaDate.setUTCHours(0, 0, 0, 0);
      expect(epochDay(year, month, day), `${year}-${month}-${day}`).to.equal(viaDate.getTime() / 86_400_000);
    }
    expect(epochDay(2024, 2, 29)).to.equal(19_782);
    expect([epochDay(2023, 2, 29), epochDay(1900, 2, 29), epochDay(2024, 4, 31)]).to.deep.equal([undefined, undefined, undefined]);
  });

  it('refuses dates and times that do not exist', () => {
    for (const s of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-1-5', '24-01-05']) expect(reason(s, t('date')), s).to.match(/not a date/);
    for (const s of ['2024-13-45 99:00:00', '2024-01-01 24:00:00', '2024-01-01 12:60:00', '2024-01-01', '2024-01-01 12:00']) {
      expect(reason(s, t('timestamp')), s).to.match(/not a timestamp/);
    }
  });

  it('reads ints, decimals, floats and booleans exactly, and says why a text is none', async () => {
    expect(value('-9223372036854775808', t('int'))).to.equal(-(2n ** 63n));
    expect(reason('9223372036854775808', t('int'))).to.match(/out of the int64 range/);
    expect(reason('12x', t('int'))).to.be.a('string');
    expect(value('-12.30', t('decimal', { precision: 12, scale: 2 }))).to.equal(-1230n);
    expect(reason('12.3.4', t('decimal', { precision: 12, scale: 2 }))).to.be.a('string');
    for (const s of ['0.1', '-1e-7', '.5', '5.', '1E308', '4.9e-324', 'NaN', 'inf', '-Infinity']) {
      const [row] = await duckRows(duck(), `select '${s}'::DOUBLE as d`);
      expect(Object.is(value(s, t('float')), row!.d), s).to.equal(true);
    }
    expect(reason('0x10', t('float'))).to.match(/not a number/);
    expect(reason('1,5', t('float'))).to.match(/not a number/);
    expect([value('TRUE', t('bool')), value('f', t('bool')), value('1', t('bool'))]).to.deep.equal([true, false, true]);
    expect(reason('yes please', t('bool'))).to.match(/not a boolean/);
  });

  it('makes an empty field null, or a reject in a not-null column; rejects undecodable text', () => {
    expect(value('', t('int'))).to.equal(null);
    expect(reason('', { kind: 'int', nullable: false })).to.match(/empty, but the column is not null/);
    expect(value('Café 日本', t('string'))).to.equal('Café 日本');
    expect(reason('Caf\uFFFD', t('string'))).to.match(/invalid UTF-8/);
  });
});

describe('handlers/etl/typed-values fast paths', () => {
  it('give what the full parsers give, value or reason, for random and edge-case text of every type', () => {
    const random = seededRandom(9);
    const types: ColumnType[] = [t('int'), t('float'), t('decimal', { precision: 10, scale: 2 }), t('decimal', { precision: 18, scale: 0 }), t('decimal', { precision: 38, scale: 20 }), t('date'), t('timestamp')];
    const edges = [
      '0', '-0', '+7', '007', '-', '+', '.', '5.', '.5', '-0.00', '1.500', '1.505', '99999999.99', '100000000.00', '999999999999999', '1000000000000000',
      '9007199254740993', '-9223372036854775808', '9223372036854775808', '1e3', '1E-3', '1e', '1e+', '.e1', '1.2.3', ' 1', '1 ', 'inf', 'NaN', '1_0',
      '2024-02-29', '2023-02-29', '2024-13-01', '0000-01-01', '9999-12-31', '2024-01-01 23:59:59', '2024-01-01T24:00:00', '2024-01-01 00:60:00',
      '2024-01-01 00:00:60', '2024-01-01 12:00:00Z', '2024-01-01 12:00:00.5', '1684-01-01 00:00:00', '2256-01-01 00:00:00', '2024-1-01 00:00:00', '2024-01-01x00:00:00',
    ];
    const alphabet = '0123456789000-+.eE :T';
    const randomText = () => Array.from({ length: random.int(1, 22) }, () => alphabet[random.int(0, alphabet.length - 1)]).join('');
    const nearTimestamp = () => {
      const base = `${random.int(1600, 2400)}-${String(random.int(0, 13)).padStart(2, '0')}-${String(random.int(0, 32)).padStart(2, '0')}${random.pick([' ', 'T', 'x'])}${String(random.int(0, 25)).padStart(2, '0')}:${String(random.int(0, 61)).padStart(2, '0')}:${String(random.int(0, 61)).padStart(2, '0')}`;
      return random.next() < 0.8 ? base : base.slice(0, random.int(0, base.length));
    };
    const texts = [...edges, ...Array.from({ length: 3000 }, randomText), ...Array.from({ length: 3000 }, nearTimestamp), ...Array.from({ length: 2000 }, () => String(random.next() * 10 ** random.int(-5, 20)))];
    for (const type of types) {
      for (const text of texts.filter((x) => x !== '')) {
        const [quick, full] = [parseField(text, type), parseTextFully(text, type)];
        // Object.is tells -0 from 0 and 1n from 1; chai's deep equal for each of 60,000 pairs would take seconds.
        const same = quick.ok && full.ok ? Object.is(quick.value, full.value) : !quick.ok && !full.ok && quick.reason === full.reason;
        if (!same) expect(quick, `${type.kind} ${JSON.stringify(text)}`).to.deep.equal(full);
      }
    }
  });
});

describe('handlers/etl/row-filter', () => {
  const spec = etlSpecSchema.parse({
    columns: { city: 'string', n: 'int', price: 'decimal(8,2)', when: 'date', x: 'float' },
    where: [
      { column: 'n', op: '>=', value: 2 },
      { column: 'price', op: '<', value: '10.50' },
      { column: 'city', op: 'not_in', value: ['Zürich', 'Paris'] },
      { column: 'when', op: '!=', value: '2024-01-01' },
      { column: 'x', op: 'not_null' },
    ],
    rows: {},
  });
  const keep = compileWhere(spec);
  const day = (s: string) => Math.round(Date.parse(`${s}T00:00:00Z`) / 86_400_000);

  it('keeps a row only when every condition holds, with SQL nulls', () => {
    const row = ['Oslo', 2n, 1049n, day('2024-01-02'), 0.5];
    expect(keep(row)).to.equal(true);
    expect(keep(['Oslo', 1n, 1049n, day('2024-01-02'), 0.5])).to.equal(false);
    expect(keep(['Oslo', 2n, 1050n, day('2024-01-02'), 0.5])).to.equal(false);
    expect(keep(['Zürich', 2n, 1049n, day('2024-01-02'), 0.5])).to.equal(false);
    expect(keep(['Oslo', 2n, 1049n, day('2024-01-01'), 0.5])).to.equal(false);
    expect(keep(['Oslo', 2n, 1049n, day('2024-01-02'), null])).to.equal(false);
    // A null is neither in nor not in a list, and never compares true.
    expect(keep([null, 2n, 1049n, day('2024-01-02'), 0.5])).to.equal(false);
    expect(keep(['Oslo', null, 1049n, day('2024-01-02'), 0.5])).to.equal(false);
  });

  it('refuses a literal that does not fit its column, naming it', () => {
    const bad = etlSpecSchema.parse({ columns: { price: 'decimal(8,2)' }, where: [{ column: 'price', op: '>', value: '1.005' }], rows: {} });
    const err = thrown(InvalidInput, () => compileWhere(bad));
    expect(err.message).to.contain('spec.where[0].value').and.contain('1.005');
  });
});
