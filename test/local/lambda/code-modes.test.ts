// What the workers run: by default the bytes the function's zip deploys, on Lambda's Node major, with its
// layers where its code finds them, and nothing from the repository's node_modules; with `source`, the
// TypeScript sources on the same node and layers.
import { createHash } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { FunctionSpec } from '../../../handlers/catalog-types';
import { bundleFunction } from '../../../infra/packaging/bundle-function';
import { LAMBDA_HANDLER } from '../../../infra/lambda-runtime';
import { createInvokeCommand } from '../../../local/cli/invoke';
import type { CodeMode } from '../../../local/lambda/function-code';
import { lambdaNodeMajor } from '../../../local/lambda/lambda-node';
import { createLambdaRuntime, type LambdaRuntime, type RuntimeInvokeOutcome } from '../../../local/lambda/runtime';
import type { LogLine } from '../../../local/lambda/types';
import { startLocalServices } from '../../../local/services';
import type { CodeFactsEvent } from '../../fixtures/functions/code-facts';
import { fixtureFunction } from '../../support/fixture-function';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const facts = (name: string, layers: FunctionSpec['layers']) => fixtureFunction(name, { entry: 'test/fixtures/functions/code-facts.ts', layers });
const functions = [facts('Bare', []), facts('WithFfmpeg', ['ffmpeg']), facts('WithTfjs', ['tfjs'])];

function payloadOf(outcome: RuntimeInvokeOutcome): Record<string, unknown> {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome.error)}`);
  return outcome.payload as Record<string, unknown>;
}

for (const code of ['bundle', 'source'] as const) describeCode(code);

function describeCode(code: CodeMode): void {
  describe(`local/lambda code (${code})`, function () {
    this.timeout(60_000);
    let runtime: LambdaRuntime;
    let tmpRoot: string;
    const logs: LogLine[] = [];
    const invoke = async (name: string, event: CodeFactsEvent) => payloadOf(await runtime.invoke(name, event));

    before(() => {
      tmpRoot = mkdtempSync(path.join(tmpdir(), 'longhaul-code-test-'));
      // No AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: on Lambda's node the SDK has nothing to warn about.
      runtime = createLambdaRuntime({ functions, env: {}, tmpRoot, code, onLog: (line) => logs.push(line) });
    });
    after(async () => {
      await runtime.close();
      rmSync(tmpRoot, { recursive: true, force: true });
    });

    it(`runs on Node ${lambdaNodeMajor()} with Lambda's flags, and the AWS SDK does not warn about it`, async () => {
      const seen = await invoke('Bare', { action: 'facts' });
      expect(Number((seen.node as string).slice(1).split('.')[0])).to.equal(lambdaNodeMajor());
      expect(seen.execArgv).to.include.members(['--no-experimental-require-module', '--no-experimental-detect-module']);
      const made = await runtime.invoke('Bare', { action: 'sdk-client' });
      payloadOf(made);
      expect(logs.filter((l) => l.requestId === made.requestId).map((l) => l.text).join('\n')).not.to.contain('NodeVersionSupportWarning');
    });

    if (code === 'bundle') {
      it("runs the zip's index.mjs, byte for byte, alone in its task directory outside the repository", async () => {
        const seen = await invoke('Bare', { action: 'facts' });
        const zipped = await bundleFunction(functions[0], root);
        expect(seen.sha256).to.equal(createHash('sha256').update(zipped).digest('hex'));
        expect(path.basename(seen.file as string)).to.equal('index.mjs');
        expect(path.dirname(seen.file as string)).to.equal(seen.taskRoot);
        expect(seen.cwd).to.equal(seen.taskRoot);
        expect(seen.handler).to.equal(LAMBDA_HANDLER);
        expect(path.relative(root, seen.file as string).startsWith('..')).to.equal(true);
        // What the bundle leaves out is not found next to it, as in Lambda without a layer.
        expect(await invoke('Bare', { action: 'resolve', specifier: '@ffmpeg-installer/ffmpeg' })).to.deep.equal({ code: 'ERR_MODULE_NOT_FOUND' });
      });

      it("imports a layer's packages from its /opt/nodejs/node_modules, and only with the layer", async () => {
        expect(await invoke('Bare', { action: 'resolve', specifier: '@tensorflow/tfjs' })).to.deep.equal({ code: 'ERR_MODULE_NOT_FOUND' });
        const { url } = await invoke('WithTfjs', { action: 'resolve', specifier: '@tensorflow/tfjs' });
        expect(realpathSync(new URL(url as string)).startsWith(`${realpathSync(path.join(root, 'node_modules/@tensorflow/tfjs'))}/`)).to.equal(true);
      });

      it('finds no ffmpeg in a function without the ffmpeg layer, as Lambda would not', async () => {
        expect((await invoke('Bare', { action: 'ffmpeg' })).error).to.match(/Cannot find ffmpeg/);
      });
    } else {
      it('runs the TypeScript source from the repository', async () => {
        const seen = await invoke('Bare', { action: 'facts' });
        expect(seen.file).to.equal(path.join(root, 'test/fixtures/functions/code-facts.ts'));
        expect(seen.cwd).to.equal(root);
        expect(seen.handler).to.equal('test/fixtures/functions/code-facts.ts.handler');
      });
    }

    it("runs the ffmpeg layer's own files from the function's /opt equivalent", async () => {
      const ran = await invoke('WithFfmpeg', { action: 'ffmpeg' });
      expect(ran.version).to.match(/^ffmpeg version /);
      // The function's /opt/bin: beside the other functions' code, under the runtime's directory.
      expect(ran.path).to.equal(path.join(tmpRoot, 'opt', 'ffmpeg', 'bin', 'ffmpeg'));
      // The file `make layers` zips as bin/ffmpeg.
      expect(realpathSync(ran.path as string)).to.equal(realpathSync(path.join(root, 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg')));
      const seen = await invoke('WithFfmpeg', { action: 'facts' });
      expect((seen.path as string).split(path.delimiter).at(-1)).to.equal(path.join(tmpRoot, 'opt', 'ffmpeg', 'bin'));
    });
  });
}

describe('local/lambda code, as the CLI chooses it', function () {
  this.timeout(60_000);
  async function invokedFile(extra: string[]): Promise<string> {
    const out: string[] = [];
    const command = createInvokeCommand({
      functions: () => [functions[0]!],
      startServices: (opts) => startLocalServices(opts),
      stdout: (text) => out.push(text),
      stderr: () => {},
      interrupted: () => ({ promise: new Promise(() => {}), dispose: () => {} }),
    });
    expect(await command.run(['Bare', '--event', '{"action":"facts"}', '--quiet', ...extra])).to.equal(0);
    return (JSON.parse(out.join('\n')) as { file: string }).file;
  }

  it('longhaul invoke runs the bundle, and the TypeScript with --from-source', async () => {
    expect(path.basename(await invokedFile([]))).to.equal('index.mjs');
    expect(await invokedFile(['--from-source'])).to.equal(path.join(root, 'test/fixtures/functions/code-facts.ts'));
  });
});
