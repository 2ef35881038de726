// The cost of a hand-made trace, figured by hand: per-function GB-seconds, arm64 and ephemeral storage
// prices, EMF-measured S3 and DynamoDB, and the text table.
import { expect } from 'chai';
import { estimateCost, formatCost, usd } from '../../../local/operate/cost';
import type { FunctionConfig } from '../../../local/operate/function-configs';
import type { UsageTotals } from '../../../local/operate/metrics-source';
import { DEFAULT_PRICES } from '../../../local/operate/prices';
import { at, attempt, trace } from './trace-fixture';

const functions: Record<string, FunctionConfig> = {
  big: { timeoutSeconds: 900, memoryMb: 2048, ephemeralStorageMb: 2560, architecture: 'x86_64' },
  small: { timeoutSeconds: 60, memoryMb: 512, ephemeralStorageMb: 512, architecture: 'arm64' },
};

const t = trace({
  tasks: [
    // 1,000 ms, then a retry of 2,000 ms (history timestamps are whole milliseconds, as Lambda bills).
    attempt({ stateName: 'Big', functionName: 'big', startedAt: at(0), endedAt: at(1000) }),
    attempt({ stateName: 'Big', functionName: 'big', retry: 1, startedAt: at(3000), endedAt: at(5000), outcome: 'succeeded' }),
    attempt({ stateName: 'Small', functionName: 'small', startedAt: at(5000), endedAt: at(5500) }),
    // Never started (no invocation): no request, no duration.
    attempt({ stateName: 'Small', functionName: 'small', startedAt: undefined, endedAt: at(5600), outcome: 'failed' }),
    attempt({ stateName: 'Gone', functionName: 'gone', startedAt: at(6000), endedAt: at(7000) }),
  ],
  transitions: { stateEntries: 30, retries: 1, mapChildExecutions: 8, redrives: 1, total: 40 },
});

describe('cost', () => {
  it('prices transitions, requests, GB-seconds by architecture and ephemeral storage over 512 MB', () => {
    const e = estimateCost({ trace: t, functions, prices: DEFAULT_PRICES });
    expect(e.transitions.cost).to.be.closeTo(40 * 0.000025, 1e-15);
    const big = e.lambda.functions.find((f) => f.functionName === 'big')!;
    // (1 + 2) s × 2 GB = 6 GB-s; (2560 - 512) MB = 2 GB of /tmp over the free part.
    expect(big.requests).to.equal(2);
    expect(big.billedMs).to.equal(3000);
    expect(big.gbSeconds).to.be.closeTo(6, 1e-12);
    expect(big.durationCost).to.be.closeTo(6 * 0.0000166667, 1e-15);
    expect(big.ephemeralGbSeconds).to.be.closeTo(6, 1e-12);
    expect(big.ephemeralCost).to.be.closeTo(6 * 0.0000000309, 1e-18);
    const small = e.lambda.functions.find((f) => f.functionName === 'small')!;
    // 0.5 s × 0.5 GB at the arm64 price, no ephemeral charge.
    expect([small.requests, small.gbSeconds, small.ephemeralGbSeconds]).to.deep.equal([1, 0.25, 0]);
    expect(small.durationCost).to.be.closeTo(0.25 * 0.0000133334, 1e-15);
    expect(e.lambda.requests).to.equal(4);
    expect(e.lambda.unpriced).to.deep.equal(['gone']);
    expect(e.s3).to.equal(undefined);
    expect(e.dynamodb).to.equal(undefined);
    const expectedTotal = 40 * 0.000025 + 4 * 0.0000002 + 6 * 0.0000166667 + 6 * 0.0000000309 + 0.25 * 0.0000133334;
    expect(e.total).to.be.closeTo(expectedTotal, 1e-15);
  });

  it('prices S3 requests by tier and DynamoDB units from measured usage', () => {
    const usage: UsageTotals = {
      invocations: 3,
      s3Requests: { get: 1000, put: 200, list: 50, other: 10, delete: 7 },
      dynamodb: { requests: 12, readUnits: 4, writeUnits: 16 },
      metrics: {},
    };
    const e = estimateCost({ trace: t, functions, prices: DEFAULT_PRICES, usage });
    expect(e.s3).to.deep.include({ putOrList: 250, getOrOther: 1010, free: 7 });
    expect(e.s3!.cost).to.be.closeTo(250 * 0.000005 + 1010 * 0.0000004, 1e-15);
    expect(e.dynamodb!.cost).to.be.closeTo(16 * 0.000000625 + 4 * 0.000000125, 1e-18);
    const text = formatCost(e, 1000);
    expect(text).to.match(/S3 PUT\/COPY\/POST\/LIST requests\s+250\s+\$0\.00125\s+\$1\.25/);
    expect(text).to.match(/DynamoDB write units\s+16\s+\$0\.0000100\s+\$0\.0100/);
  });

  it('says what is not measured, and scales to N jobs', () => {
    const text = formatCost(estimateCost({ trace: t, functions, prices: DEFAULT_PRICES }), 1000);
    expect(text).to.match(/Step Functions state transitions\s+40\s+\$0\.00100\s+\$1\.00/);
    expect(text).to.contain('Transitions: 30 states entered, 1 retries, 8 Map child executions, 1 redrives.');
    expect(text).to.match(/S3 requests\s+not measured/);
    expect(text).to.match(/DynamoDB units\s+not measured/);
    expect(text).to.contain('Not priced (Lambda did not describe them): gone');
    expect(text).to.contain('list prices checked 2026-12-06');
  });

  it('writes dollars with three significant digits, never in exponent notation', () => {
    expect([0, 0.00025, 0.000000309, 1.3249, 13.2, 1234.5].map(usd)).to.deep.equal(['$0', '$0.000250', '$0.000000309', '$1.32', '$13.20', '$1234.50']);
  });
});
