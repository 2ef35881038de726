// `longhaul execute` end to end with real local services (no catalog functions needed by these files).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testExecuteCommand, usageErrorOf } from './execute-cli';
import { UsageError } from '../../../local/cli/command';

const fixture = 'test/fixtures/asl/countdown.asl.json';

describe('longhaul execute', function () {
  this.timeout(60_000);
  let out: string[];
  let err: string[];
  let dir: string;
  const command = () => testExecuteCommand(out, err);

  beforeEach(() => {
    out = [];
    err = [];
    dir = mkdtempSync(path.join(tmpdir(), 'longhaul-execute-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the output on stdout, progress on stderr, and writes the history', async () => {
    const historyFile = path.join(dir, 'history.json');
    const code = await command().run([fixture, '--input', '{"n":2,"items":["a","b"]}', '--timeout-scale', '0.001', '--history', historyFile]);
    expect(code, err.join('\n')).to.equal(0);
    expect(JSON.parse(out.join('\n'))).to.deep.equal({ n: 0, fanned: [{ v: 'a', bucket: 'longhaul-local' }, { v: 'b', bucket: 'longhaul-local' }] });
    expect(err).to.include('▶ Fan (Map)');
    expect(err).to.include('  Fan: 2/2 items done');
    expect(err.filter((l) => l === '▶ Tick (Pass)')).to.have.length(2);
    const history = JSON.parse(readFileSync(historyFile, 'utf8')) as { events: { type: string }[] };
    expect(history.events[0]!.type).to.equal('ExecutionStarted');
    expect(history.events.at(-1)!.type).to.equal('ExecutionSucceeded');
  });

  it('prints Error and Cause and exits 1 when the execution fails', async () => {
    const code = await command().run([fixture, '--input', '{"n":-3}', '--quiet']);
    expect(code).to.equal(1);
    expect(out).to.deep.equal([]);
    expect(err).to.include('Error: InvalidInput');
    expect(err).to.include('Cause: n must be >= 0, got -3');
  });

  it('--set fills placeholders; a leftover placeholder exits 2 naming it', async () => {
    const file = path.join(dir, 'greet.asl.json');
    writeFileSync(file, JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { greeting: 'hi ${Who}', bucket: '${DataBucket}' }, End: true } } }));
    expect(await command().run([file, '--quiet', '--set', 'Who=there'])).to.equal(0);
    expect(JSON.parse(out.join('\n'))).to.deep.equal({ greeting: 'hi there', bucket: 'longhaul-local' });
    out = [];
    expect(await command().run([file, '--quiet'])).to.equal(2);
    expect(err.join('\n')).to.contain('${Who}').and.contain('States.P.Result.greeting');
  });

  it('rejects bad usage before starting anything', async () => {
    let caught: unknown;
    try {
      await command().run([fixture, '--set', 'NoEquals']);
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(UsageError);
    expect((caught as Error).message).to.contain('--set expects Name=value');
  });

  it('a bad --name or an --input over 256 KiB is a usage error (exit 2), not a crash', async () => {
    expect((await usageErrorOf(command(), [fixture, '--quiet', '--name', 'has space'])).message).to.contain('InvalidName');
    const big = JSON.stringify({ n: 1, s: 'x'.repeat(262_144) });
    expect((await usageErrorOf(command(), [fixture, '--quiet', '--input', big])).message).to.contain('InvalidExecutionInput');
  });

  it('shows a Distributed Map\'s items done out of its total', async () => {
    const code = await command().run(['test/fixtures/asl/fan-distributed.asl.json', '--input', '{"items":[1,2,3]}']);
    expect(code, err.join('\n')).to.equal(0);
    expect(JSON.parse(out.join('\n'))).to.deep.equal([{ v: 1 }, { v: 2 }, { v: 3 }]);
    expect(err).to.include('  Fan: 0/3 items done');
    expect(err.at(-2)).to.equal('  Fan: 3/3 items done');
  });
});
