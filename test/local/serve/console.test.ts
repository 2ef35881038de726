// The console `longhaul serve` hands out at /console, driven in Chromium (playwright-core) against a real
// server with a fixture function: every page renders with no console error and no failed request, a
// running execution's page turns SUCCEEDED by itself, a failed one shows the error and cause Step Functions
// reports, Redrive on it makes it succeed, and Stop aborts a running one. Each run takes the README's
// screenshot; `LONGHAUL_UPDATE_SCREENSHOT=1` writes it to docs/console.png, otherwise it goes to a temp dir.
import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServe, type Serve } from '../../../local/serve/serve';
import { fixtureFunction } from '../../support/fixture-function';

const DOCS_SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/console.png');
/** PNG's file signature. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Start records the job; Each runs one item per id, two at a time (items wait while the job's gate file
 * exists, and an item fails while its flag file exists); Finish marks the job done. A job with no ids
 * fails at NoItems.
 */
function jobMachine(fn: string, work: string): object {
  const invoke = (payload: object) => ({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fn, Payload: payload } });
  return {
    Comment: 'console test: a job of a few items',
    StartAt: 'Start',
    States: {
      Start: {
        Type: 'Task',
        ...invoke({ action: 'start', 'jobId.$': '$.jobId', 'items.$': 'States.ArrayLength($.ids)' }),
        ResultPath: null,
        Next: 'HasItems',
      },
      HasItems: { Type: 'Choice', Choices: [{ Variable: '$.ids[0]', IsPresent: true, Next: 'Each' }], Default: 'NoItems' },
      NoItems: { Type: 'Fail', Error: 'NoItems', Cause: 'the job names no ids' },
      Each: {
        Type: 'Map',
        ItemsPath: '$.ids',
        MaxConcurrency: 2,
        ItemSelector: { 'id.$': '$$.Map.Item.Value', 'jobId.$': '$.jobId' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: {
            Work: {
              Type: 'Task',
              ...invoke({
                action: 'item',
                'jobId.$': '$.jobId',
                'id.$': '$.id',
                'waitWhileExists.$': `States.Format('${work}/gate-{}', $.jobId)`,
                'failIfExists.$': `States.Format('${work}/fail-{}', $.id)`,
              }),
              OutputPath: '$.Payload',
              End: true,
            },
          },
        },
        ResultPath: null,
        Next: 'Finish',
      },
      Finish: { Type: 'Task', ...invoke({ action: 'finish', 'jobId.$': '$.jobId' }), OutputPath: '$.Payload', End: true },
    },
  };
}

/** A Parallel whose first branch retries a failing task, then catches its error and recovers. */
function caughtMachine(fn: string, work: string): object {
  return {
    StartAt: 'Both',
    States: {
      Both: {
        Type: 'Parallel',
        Branches: [
          {
            StartAt: 'Try',
            States: {
              Try: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: fn, Payload: { action: 'item', jobId: 'caught', id: 'bad', waitWhileExists: join(work, 'no-gate'), failIfExists: join(work, 'fail-always') } },
                Retry: [{ ErrorEquals: ['ItemFailed'], IntervalSeconds: 1, MaxAttempts: 1 }],
                Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recovered' }],
                End: true,
              },
              Recovered: { Type: 'Pass', End: true },
            },
          },
          { StartAt: 'Other', States: { Other: { Type: 'Pass', End: true } } },
        ],
        End: true,
      },
    },
  };
}

describe('longhaul serve: the console in Chromium', function () {
  this.timeout(60_000);
  let serve: Serve;
  let work: string;
  let screenshot: string;
  let sfn: SFNClient;
  let browser: Browser;
  let machineArn: string;
  let failedArn: string;
  /** Console errors, uncaught page errors, failed requests and HTTP errors, of every page opened. */
  let problems: string[] = [];

  before(async function () {
    work = await mkdtemp(join(tmpdir(), 'longhaul-console-test-'));
    screenshot = process.env.LONGHAUL_UPDATE_SCREENSHOT ? DOCS_SCREENSHOT : join(work, 'console.png');
    const [started, launched] = await Promise.all([
      startServe({
        dataDir: join(work, 'data'),
        port: 0,
        functions: [fixtureFunction('ConsoleJob', { entry: 'test/fixtures/functions/console-job.ts', table: 'write' })],
        pipelines: [],
        naming: { prefix: 'longhaul', stackName: 'console' },
        // Retry intervals of 0.1 s.
        timeScale: 0.1,
        onLog: () => {},
      }),
      chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] }),
    ]);
    serve = started;
    browser = launched;
    sfn = new SFNClient({ endpoint: serve.endpoint, region: serve.region, credentials: serve.credentials });
    const created = await sfn.send(new CreateStateMachineCommand({
      name: 'console-jobs',
      definition: JSON.stringify(jobMachine(serve.functionNames[0]!, work)),
      roleArn: 'arn:aws:iam::000000000000:role/console-jobs',
    }));
    machineArn = created.stateMachineArn!;
    // One job that succeeds and one whose item fails while its flag file exists, for the list and redrive tests.
    await writeFile(join(work, 'fail-f2'), '');
    const [okArn, badArn] = await Promise.all([start('listed-ok', ['o1']), start('listed-failed', ['f2'])]);
    failedArn = badArn;
    const [ok, bad] = await Promise.all([finished(okArn), finished(badArn)]);
    expect(ok.status, `${ok.error}: ${ok.cause}`).to.equal('SUCCEEDED');
    expect(bad.status).to.equal('FAILED');
  });

  after(async function () {
    sfn?.destroy();
    await browser?.close();
    await serve?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  afterEach(function () {
    const seen = problems;
    problems = [];
    expect(seen, 'console errors or failed requests').to.deep.equal([]);
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1050 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (r) => {
      // A poll in flight when the page is left (a link followed, the page closed) is aborted, not failed.
      if (!page.isClosed() && r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
    });
    await page.goto(`${serve.endpoint}${path}`);
    return page;
  }

  const executionPage = (arn: string) => open(`/console/?execution=${encodeURIComponent(arn)}`);

  async function start(name: string, ids: string[]): Promise<string> {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input: JSON.stringify({ jobId: name, ids }) }));
    return out.executionArn!;
  }

  async function finished(executionArn: string) {
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until the execution page's status badge says `status`. */
  async function pageShows(page: Page, status: string, ms = 20_000): Promise<void> {
    await page.waitForSelector(`#status .badge[data-status="${status}"]`, { timeout: ms });
  }

  it('lists the state machines, then one machine\'s executions filtered by status, with its graph', async () => {
    const page = await open('/console');
    await page.getByRole('link', { name: 'console-jobs' }).click();
    await page.waitForSelector('#executions tbody tr[data-execution]');
    const names = async () => page.locator('#executions tbody tr[data-execution] td:first-child').allTextContents();
    expect(await names()).to.have.members(['listed-ok', 'listed-failed']);
    // The definition drawn: every state of it, the Map's inner state inside the Map's box.
    expect(await page.locator('svg.graph g.state').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')))).to.have.members(['Start', 'HasItems', 'NoItems', 'Each', 'Work', 'Finish']);
    expect(await page.locator('svg.graph g.state[data-state="Each"] g.state[data-state="Work"]').count()).to.equal(1);

    await page.locator('#filters').getByRole('link', { name: 'FAILED' }).click();
    await page.waitForURL(/status=FAILED/);
    await page.waitForSelector('#executions tbody tr[data-execution]');
    expect(await names()).to.deep.equal(['listed-failed']);
    await page.locator('#filters').getByRole('link', { name: 'SUCCEEDED' }).click();
    await page.waitForURL(/status=SUCCEEDED/);
    await page.waitForSelector('#executions tbody tr[data-execution]');
    expect(await names()).to.deep.equal(['listed-ok']);
    await page.close();
  });

  it("a running execution's page turns SUCCEEDED by itself: states, Map items, job record, history, timeline, cost", async () => {
    const gate = join(work, 'gate-live-job');
    await writeFile(gate, '');
    const arn = await start('live-job', ['a', 'b', 'c', 'd']);
    const page = await executionPage(arn);
    let navigations = 0;
    page.on('framenavigated', () => (navigations += 1));
    // Seen while it runs (the items wait at the gate): the Distributed Map running two items at a time.
    await pageShows(page, 'RUNNING');
    await page.waitForSelector('g.state[data-state="Each"][data-status="running"]');
    await page.locator('g.state[data-state="Each"] > text.counts').filter({ hasText: /^items: 0\/4 ok · 2 running · 0 failed$/ }).waitFor();
    expect(await page.locator('g.state[data-state="Start"]').getAttribute('data-status')).to.equal('succeeded');
    expect(await page.locator('g.state[data-state="Finish"]').getAttribute('data-status')).to.equal('none');
    await unlink(gate);
    await pageShows(page, 'SUCCEEDED');
    expect(navigations, 'the page reloaded').to.equal(0);

    for (const state of ['Start', 'HasItems', 'Each', 'Work', 'Finish']) {
      expect(await page.locator(`g.state[data-state="${state}"]`).getAttribute('data-status'), state).to.equal('succeeded');
    }
    expect(await page.locator('g.state[data-state="NoItems"]').getAttribute('data-status')).to.equal('none');
    await page.locator('g.state[data-state="Each"] > text.counts').filter({ hasText: /^items: 4\/4 ok · 0 running · 0 failed$/ }).waitFor();
    // The job's progress record: started with 4 units, one counted per item, finished.
    await page.waitForSelector('#job-record dd[data-field="Status"] .badge:text("SUCCEEDED")');
    expect(await page.locator('#job-record dd[data-field="Job"]').textContent()).to.equal('live-job');
    expect(await page.locator('#job-record dd[data-field="Step"]').textContent()).to.equal('items');
    expect(await page.locator('#job-record dd[data-field="Units"]').textContent()).to.equal('4 / 4');
    // Clicking a state shows what it was given: the Start task got the execution's input.
    await page.locator('g.state[data-state="Start"]').click();
    expect(JSON.parse((await page.locator('#state-details pre.state-input').textContent())!)).to.deep.equal({ jobId: 'live-job', ids: ['a', 'b', 'c', 'd'] });
    expect(await page.locator('#history tbody tr').last().locator('td').nth(2).textContent()).to.equal('ExecutionSucceeded');
    await page.waitForSelector('#timeline-img');
    await page.waitForSelector('#cost-text');
    // Six invocations: Start, four items, Finish.
    expect(await page.locator('#cost-text').textContent()).to.match(/Lambda requests\s+6\s/);

    // The README's picture: the inner state of the Map chosen, its items listed.
    await page.locator('g.state[data-state="Work"]').click();
    await page.waitForSelector('#state-details ul.children li .badge');
    await mkdir(dirname(screenshot), { recursive: true });
    const screenshotTakenAfter = Date.now();
    await page.screenshot({ path: screenshot, clip: { x: 0, y: 0, width: 1400, height: 1050 } });
    // The screenshot was written now, a PNG.
    expect((await readFile(screenshot)).subarray(0, 8).equals(PNG_SIGNATURE)).to.equal(true);
    expect((await stat(screenshot)).mtimeMs).to.be.at.least(screenshotTakenAfter - 1000);

    // An item's own page: the child execution the Map started, its one state drawn.
    await page.locator('#state-details ul.children li a').first().click();
    await pageShows(page, 'SUCCEEDED');
    expect(await page.locator('svg.graph g.state').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-status')))).to.deep.equal(['succeeded']);
    await page.close();
  });

  it('a failed execution shows its error and cause; Redrive from the page makes it succeed', async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: failedArn }));
    const page = await executionPage(failedArn);
    await pageShows(page, 'FAILED');
    expect(await page.locator('#error .error-name').textContent()).to.equal(described.error);
    expect(await page.locator('#error .cause').textContent()).to.equal(described.cause);
    expect(await page.locator('g.state[data-state="Each"]').getAttribute('data-status')).to.equal('failed');
    expect(await page.locator('#stop').isDisabled()).to.equal(true);

    await unlink(join(work, 'fail-f2'));
    await page.locator('#redrive').click();
    await pageShows(page, 'SUCCEEDED');
    const after = await sfn.send(new DescribeExecutionCommand({ executionArn: failedArn }));
    expect(after.status).to.equal('SUCCEEDED');
    expect(after.redriveCount).to.equal(1);
    expect(await page.locator('#error').isHidden()).to.equal(true);
    expect(await page.locator('g.state[data-state="Each"]').getAttribute('data-status')).to.equal('succeeded');
    await page.close();
  });

  it('Stop on a running execution aborts it', async () => {
    // Its item waits at a gate nobody opens.
    await writeFile(join(work, 'gate-stopped-job'), '');
    const arn = await start('stopped-job', ['slow']);
    const page = await executionPage(arn);
    await page.waitForSelector('g.state[data-state="Each"][data-status="running"]');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#stop').click();
    await pageShows(page, 'ABORTED', 5_000);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).to.equal('ABORTED');
    expect(await page.locator('g.state[data-state="Each"]').getAttribute('data-status')).to.equal('aborted');
    expect(await page.locator('g.state[data-state="Start"]').getAttribute('data-status')).to.equal('succeeded');
    expect(await page.locator('#redrive').isEnabled()).to.equal(true);
    await page.close();
  });

  it('a retried task whose error was caught shows as caught, with its attempts and error; its branch recovered', async () => {
    await writeFile(join(work, 'fail-always'), '');
    const created = await sfn.send(new CreateStateMachineCommand({
      name: 'console-caught',
      definition: JSON.stringify(caughtMachine(serve.functionNames[0]!, work)),
      roleArn: 'arn:aws:iam::000000000000:role/console-caught',
    }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn!, input: '{}' }));
    expect((await finished(executionArn!)).status).to.equal('SUCCEEDED');
    const page = await executionPage(executionArn!);
    await pageShows(page, 'SUCCEEDED');
    const statuses = await page.locator('svg.graph g.state').evaluateAll((gs) => Object.fromEntries(gs.map((g) => [g.getAttribute('data-state'), g.getAttribute('data-status')])));
    expect(statuses).to.deep.equal({ Both: 'succeeded', Try: 'caught', Recovered: 'succeeded', Other: 'succeeded' });
    expect(await page.locator('svg.graph path.edge-catch').count()).to.equal(1);
    await page.locator('g.state[data-state="Try"]').click();
    const details = page.locator('#state-details');
    expect(await details.locator('dt:text("Attempts") + dd').textContent()).to.equal('2');
    expect(await details.locator('.error-box strong').textContent()).to.equal('ItemFailed');
    await page.close();
  });

  it('console endpoints refuse bad input naming the field, and serve nothing outside the console', async () => {
    const job = await fetch(`${serve.endpoint}/console/api/job?jobId=${encodeURIComponent('no spaces allowed')}`);
    expect(job.status).to.equal(400);
    expect(((await job.json()) as { message: string }).message).to.match(/^jobId must match/);
    const missing = await fetch(`${serve.endpoint}/console/api/timeline.svg`);
    expect(missing.status).to.equal(400);
    expect(((await missing.json()) as { message: string }).message).to.include('executionArn');
    expect((await fetch(`${serve.endpoint}/console/..%2fconsole-routes.ts`)).status).to.equal(404);
    expect((await fetch(`${serve.endpoint}/console/api/job?jobId=nobody`).then((r) => r.json()))).to.deep.equal({ job: null });
  });
});
