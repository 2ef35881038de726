// The timeline's geometry on a hand-made trace: where bars and 80% ticks fall, which ticks are left out,
// running work drawn to the time the trace was read, Map concurrency as steps.
import { expect } from 'chai';
import fastXmlParser from 'fast-xml-parser';
import { LAYOUT, renderTimelineSvg } from '../../../local/operate/timeline';
import { mapConcurrency, timelineModel } from '../../../local/operate/timeline-rows';
import { at, attempt, item, trace, T0 } from './trace-fixture';

const x0 = LAYOUT.labelWidth;
const x1 = LAYOUT.width - LAYOUT.rightPad;

describe('timeline', () => {
  it('places a bar from its invocation start to its end, and the 80% tick at start + 0.8 × timeout', () => {
    // 10 s execution: 1 s is (x1 - x0) / 10 pixels.
    const t = trace({ tasks: [attempt({ stateName: 'A', functionName: 'f', scheduledAt: at(900), startedAt: at(1000), endedAt: at(6000) })] });
    const svg = renderTimelineSvg(t, { f: 5 });
    const px = (ms: number) => x0 + (ms / 10_000) * (x1 - x0);
    const bar = svg.match(/<rect class="attempt[^>]*x="([\d.]+)"[^>]*width="([\d.]+)"/)!;
    expect(Number(bar[1])).to.be.closeTo(px(1000), 0.01);
    expect(Number(bar[2])).to.be.closeTo(px(6000) - px(1000), 0.01);
    // 1 s + 0.8 × 5 s = 5 s.
    expect(Number(svg.match(/<line class="timeout-tick" x1="([\d.]+)"/)![1])).to.be.closeTo(px(5000), 0.01);
    expect(fastXmlParser.validate(svg)).to.equal(true);
  });

  it('leaves out a tick that falls after the chart, and one for a function with no known timeout', () => {
    const t = trace({
      tasks: [attempt({ stateName: 'A', functionName: 'f', startedAt: at(0), endedAt: at(1000) }), attempt({ stateName: 'B', functionName: 'g' })],
    });
    const svg = renderTimelineSvg(t, { f: 900 });
    expect(svg).not.to.contain('timeout-tick');
    expect(svg.match(/<rect class="attempt/g)).to.have.length(2);
  });

  it('draws running work up to the time the trace was read, in the running colour', () => {
    const t = trace({
      execution: { ...trace().execution, status: 'RUNNING', stopDate: undefined },
      tasks: [attempt({ stateName: 'A', startedAt: at(2000), endedAt: undefined, outcome: 'running' })],
    });
    const model = timelineModel(t, {});
    expect(model.endMs).to.equal(T0 + 20_000);
    expect(model.rows[0]!.bars[0]!.endMs).to.equal(T0 + 20_000);
    expect(renderTimelineSvg(t, {})).to.match(/class="attempt outcome-running"[^>]*fill="#1565c0"/);
  });

  it('puts a state\'s retries on its row, inline iterations on rows of their own, Map items under their run', () => {
    const mapRunArn = 'arn:aws:states:us-east-1:000000000000:mapRun:m/Fan:1';
    const child = item(1, 3000, 4000);
    const t = trace({
      tasks: [
        attempt({ stateName: 'A', retry: 0, outcome: 'failed' }),
        attempt({ stateName: 'A', retry: 1, scheduledAt: at(1500) }),
        attempt({ stateName: 'I', iteration: [0], scheduledAt: at(5000) }),
        attempt({ stateName: 'I', iteration: [1], scheduledAt: at(5000) }),
        attempt({ stateName: 'W', executionArn: child.executionArn, mapRunArn, scheduledAt: at(3000) }),
      ],
      mapRuns: [
        {
          mapRunArn,
          executionArn: trace().execution.executionArn,
          stateName: 'Fan',
          status: 'SUCCEEDED',
          startDate: at(2500),
          stopDate: at(4500),
          maxConcurrency: 0,
          itemCounts: { pending: 0, running: 0, succeeded: 1, failed: 0, timedOut: 0, aborted: 0, total: 1 },
          items: [child],
        },
      ],
    });
    const rows = timelineModel(t, {}).rows;
    expect(rows.map((r) => [r.kind, r.label, r.bars.length])).to.deep.equal([
      ['state', 'A', 2],
      ['map-run', 'Fan (Map: 1/1 items ok)', 0],
      ['map-item', 'Fan item 1', 1],
      ['state', 'I [0]', 1],
      ['state', 'I [1]', 1],
    ]);
  });

  it('counts Map items running at once, an item ending as another starts not overlapping', () => {
    const run = {
      mapRunArn: 'r',
      executionArn: 'e',
      stateName: 'Fan',
      status: 'SUCCEEDED',
      startDate: at(0),
      maxConcurrency: 2,
      itemCounts: { pending: 0, running: 0, succeeded: 3, failed: 0, timedOut: 0, aborted: 0, total: 3 },
      items: [item(1, 100, 500), item(2, 100, 300), item(3, 300, 900)],
    };
    const series = mapConcurrency(run, T0 + 1000);
    expect(series.steps.map((s) => [s.atMs - T0, s.running])).to.deep.equal([[0, 0], [100, 2], [300, 2], [500, 1], [900, 0]]);
    expect(series.peak).to.equal(2);
  });

  it('escapes what it shows from the history', () => {
    const t = trace({ tasks: [attempt({ stateName: 'A<&>"', outcome: 'failed', error: 'E', cause: 'bad \u0001 <cause>' })] });
    const svg = renderTimelineSvg(t, {});
    expect(fastXmlParser.validate(svg)).to.equal(true);
    expect(svg).to.contain('data-state="A&lt;&amp;&gt;&quot;"');
    expect(svg).to.contain('bad \ufffd &lt;cause&gt;');
    // XML 1.0 allows no control characters at all, not even escaped.
    expect(svg).not.to.match(/[\u0000-\u0008]/);
  });
});
