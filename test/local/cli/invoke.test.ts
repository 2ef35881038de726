// `longhaul invoke` and `longhaul services` against real local services and real worker processes.
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { keyPatterns } from '../../../handlers/lib/storage-layout';
import { UsageError } from '../../../local/cli/command';
import { createInvokeCommand } from '../../../local/cli/invoke';
import { createServicesCommand } from '../../../local/cli/services';
import { startLocalServices, type LocalServices, type LocalServicesOptions } from '../../../local/services';
import { fixtureFunction } from '../../support/fixture-function';
import { waitUntilGone } from '../../support/process-state';

/** Pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

// Probe stores and reads a note under input/: its grant must say so, as the runner enforces it.
const functions = [
  fixtureFunction('Probe', { s3: { read: [keyPatterns.input], write: [keyPatterns.input] } }),
  fixtureFunction('Slow', { timeoutSeconds: 100 }),
];

function harness(interrupt: Promise<void> = new Promise(() => {})) {
  const out: string[] = [];
  const err: string[] = [];
  const servicesStarted: LocalServicesOptions[] = [];
  const command = createInvokeCommand({
    functions: () => functions,
    startServices: (opts) => {
      servicesStarted.push(opts);
      return startLocalServices(opts);
    },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    interrupted: () => ({ promise: interrupt, dispose: () => {} }),
  });
  return { command, out, err, servicesStarted };
}

async function usageErrorOf(run: Promise<number>): Promise<string> {
  try {
    await run;
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('local/cli invoke and services', () => {
  describe('longhaul invoke', function () {
    let scratch: string;
    before(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'longhaul-invoke-test-'));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('prints the result on stdout, the log lines on stderr, and exits 0', async () => {
      const h = harness();
      const code = await h.command.run(['Probe', '--event', '{"action":"log","lines":["hello from the handler"]}']);
      expect(code).to.equal(0);
      expect(JSON.parse(h.out.join('\n'))).to.deep.equal({ logged: 1 });
      expect(h.err.some((l) => /^\[Probe [0-9a-f-]{36}\] hello from the handler$/.test(l))).to.equal(true);
      expect(h.err.some((l) => /^REPORT Probe RequestId: [0-9a-f-]{36} Duration: [\d.]+ ms Init Duration/.test(l))).to.equal(true);
    });

    it("gives the handler the services' environment and keeps data in --data-dir between runs", async () => {
      const dataDir = path.join(scratch, 'data');
      const put = harness();
      const event = { action: 's3-put', key: 'jobs/cli/input/note.txt', text: 'kept between runs' };
      expect(await put.command.run(['Probe', '--event', JSON.stringify(event), '--data-dir', dataDir])).to.equal(0);
      const get = harness();
      const file = path.join(scratch, 'event.json');
      writeFileSync(file, JSON.stringify({ action: 's3-get', key: event.key }));
      expect(await get.command.run(['Probe', '--event', `@${file}`, '--data-dir', dataDir, '--quiet'])).to.equal(0);
      expect(JSON.parse(get.out.join('\n'))).to.deep.equal({ text: 'kept between runs' });
      expect(get.err).to.deep.equal([]);
      expect(get.servicesStarted[0]!.dataDir).to.equal(dataDir);
    });

    it("prints Lambda's error object on stderr and exits 1 when the function fails", async () => {
      const h = harness();
      const code = await h.command.run(['Probe', '--event', '{"action":"throw","name":"InvalidInput","message":"no jobId"}', '--quiet']);
      expect(code).to.equal(1);
      expect(h.out).to.deep.equal([]);
      const error = JSON.parse(h.err.join('\n')) as { errorType: string; errorMessage: string };
      expect(error.errorType).to.equal('InvalidInput');
      expect(error.errorMessage).to.equal('no jobId');
    });

    it('applies --timeout-scale to the timeout and still reports the configured one', async () => {
      const h = harness();
      const code = await h.command.run(['Slow', '--event', '{"action":"hang"}', '--timeout-scale', '0.005', '--quiet']);
      expect(code).to.equal(1);
      const error = JSON.parse(h.err.join('\n')) as { errorType: string; errorMessage: string };
      expect(error.errorType).to.equal('Sandbox.Timedout');
      expect(error.errorMessage).to.match(/Task timed out after 100\.00 seconds$/);
    });

    it('stops a running function on Ctrl-C and exits 130', async () => {
      const h = harness(new Promise<void>((r) => setTimeout(r, 300)));
      const code = await h.command.run(['Slow', '--event', '{"action":"hang"}', '--quiet']);
      expect(code).to.equal(130);
      const error = JSON.parse(h.err.join('\n')) as { errorType: string };
      expect(error.errorType).to.equal('Aborted');
    });

    it('refuses bad usage before starting anything, naming the offending argument', async () => {
      const h = harness();
      expect(await usageErrorOf(h.command.run(['Nope']))).to.equal('unknown function "Nope". Known functions: Probe, Slow');
      expect(await usageErrorOf(h.command.run(['Probe', '--event', '{oops']))).to.match(/^--event is not valid JSON/);
      expect(await usageErrorOf(h.command.run(['Probe', '--event', '@/no/such/file.json']))).to.match(/^--event: cannot read \/no\/such\/file.json/);
      expect(await usageErrorOf(h.command.run(['Probe', '--timeout-scale', '0']))).to.match(/--timeout-scale must be a positive number, got "0"/);
      expect(await usageErrorOf(h.command.run([]))).to.match(/exactly one function name, got none/);
      expect(await usageErrorOf(h.command.run(['Probe', '--evnt', '{}']))).to.match(/--evnt/);
      expect(h.servicesStarted).to.deep.equal([]);
    });

    it('answers --help through the longhaul entry point', async () => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/cli/main.ts', 'invoke', '--help']);
      expect(stdout).to.contain('Usage: longhaul invoke <function>');
      for (const option of ['--event', '--data-dir', '--timeout-scale', '--region', '--quiet']) expect(stdout).to.contain(option);
    });
  });

  describe('bin/longhaul.mjs', () => {
    it('passes SIGTERM on to the CLI, which stops its services, and exits with its code', async function () {
      this.timeout(60_000);
      const launcher = spawn(process.execPath, ['bin/longhaul.mjs', 'services'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => launcher.on('exit', (code) => resolve(code)));
      let cli: number | undefined;
      try {
        let out = '';
        launcher.stdout.setEncoding('utf8');
        await new Promise<void>((resolve, reject) => {
          launcher.stdout.on('data', (chunk: string) => {
            out += chunk;
            if (out.includes('Press Ctrl-C')) resolve();
          });
          launcher.on('exit', () => reject(new Error(`launcher exited early: ${out}`)));
        });
        const dataDir = /^Data\s+(\S+)/m.exec(out)![1]!;
        [cli] = childrenOf(launcher.pid!);
        expect(cli, 'the CLI process').to.be.a('number');
        launcher.kill('SIGTERM');
        expect(await exited).to.equal(0); // the CLI's own code: it stopped as on Ctrl-C
        expect(await waitUntilGone(cli!)).to.equal(true);
        expect(existsSync(dataDir)).to.equal(false); // its cleanup ran
      } finally {
        launcher.kill('SIGKILL');
        if (cli) {
          try {
            process.kill(cli, 'SIGKILL');
          } catch {
            // Gone, as it should be.
          }
        }
      }
    });
  });

  describe('longhaul services', () => {
    it('prints endpoints and an environment that reaches the bucket, then stops and cleans up', async () => {
      const out: string[] = [];
      let stop = (): void => {};
      let started: LocalServices | undefined;
      let printed = (): void => {};
      const printedOnce = new Promise<void>((resolve) => (printed = resolve));
      const command = createServicesCommand({
        startServices: async (opts) => (started = await startLocalServices(opts)),
        stdout: (t) => {
          out.push(t);
          printed();
        },
        untilStopped: () => ({ promise: new Promise<void>((r) => (stop = r)), dispose: () => {} }),
      });
      const running = command.run([]);
      try {
        await printedOnce;
        const text = out.join('\n');
        const env = Object.fromEntries([...text.matchAll(/^ {2}export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
        expect(env.AWS_ENDPOINT_URL_S3).to.equal(started!.endpoints.s3);
        expect(text).to.contain(`--endpoint-url ${started!.endpoints.dynamodb} dynamodb scan --table-name ${started!.table}`);
        // The printed variables alone are enough for a client to reach the bucket.
        const client = new S3Client({
          endpoint: env.AWS_ENDPOINT_URL_S3,
          region: env.AWS_REGION,
          forcePathStyle: true,
          credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
        });
        const listed = await client.send(new ListObjectsV2Command({ Bucket: env.LONGHAUL_BUCKET }));
        expect(listed.$metadata.httpStatusCode).to.equal(200);
        client.destroy();
      } finally {
        stop();
      }
      expect(await running).to.equal(0);
      expect(existsSync(started!.dataDir)).to.equal(false);
    });
  });
});
