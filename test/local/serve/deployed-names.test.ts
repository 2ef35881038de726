import { expect } from 'chai';
import { catalog, pipelines } from '../../../handlers/catalog';
import type { InvokeOutcome, LambdaInvoker } from '../../../local/lambda/types';
import { deployedNameInvoker, deployedNames } from '../../../local/serve/deployed-names';

const region = 'us-east-1';
const names = deployedNames({ functions: catalog, region, config: { prefix: 'longhaul', stackName: 'dev' } });
const probeArn = 'arn:aws:lambda:us-east-1:000000000000:function:longhaul-dev-video-probe';

describe('serve: deployed names', () => {
  it('names every catalog function as infra deploys it, with its ARN', () => {
    const probe = names.functions.find((fn) => fn.catalogName === 'VideoProbe');
    expect(probe?.functionName).to.equal('longhaul-dev-video-probe');
    expect(probe?.functionArn).to.equal(probeArn);
    expect(names.functions.find((fn) => fn.catalogName === 'RecordFailure')?.functionName).to.equal('longhaul-dev-record-failure');
    expect(names.functions).to.have.length(catalog.length);
    expect(names.functionArnsByCatalogName().VideoTranscodeChunk).to.equal('arn:aws:lambda:us-east-1:000000000000:function:longhaul-dev-video-transcode-chunk');
  });

  it('names state machines as infra does, with prefix and stack from the config', () => {
    expect(names.stateMachineName('video')).to.equal('longhaul-dev-video');
    const other = deployedNames({ functions: catalog, region, config: { prefix: 'acme', stackName: 'prod' } });
    expect(other.stateMachineName('etl')).to.equal('acme-prod-etl');
    expect(other.functions[0]!.functionName.startsWith('acme-prod-')).to.equal(true);
    expect(pipelines.map((p) => names.stateMachineName(p.name))).to.include('longhaul-dev-ml');
  });

  it('finds a function by name, ARN, partial ARN and $LATEST, as the Lambda API accepts them', () => {
    for (const given of [
      'longhaul-dev-video-probe',
      'longhaul-dev-video-probe:$LATEST',
      probeArn,
      `${probeArn}:$LATEST`,
      '000000000000:function:longhaul-dev-video-probe',
    ]) {
      const found = names.lookupFunction(given);
      expect(found.ok, given).to.equal(true);
      if (found.ok) expect(found.fn.catalogName, given).to.equal('VideoProbe');
    }
  });

  it('refuses catalog names, other versions and other regions, saying why', () => {
    const catalogName = names.lookupFunction('VideoProbe');
    expect(catalogName.ok).to.equal(false);
    if (!catalogName.ok) {
      expect(catalogName.message).to.contain('Function not found: arn:aws:lambda:us-east-1:000000000000:function:VideoProbe');
      expect(catalogName.message).to.contain('longhaul-dev-video-probe');
    }
    const version = names.lookupFunction('longhaul-dev-video-probe:3');
    expect(version.ok).to.equal(false);
    if (!version.ok) expect(version.message).to.contain('only the $LATEST version');
    const elsewhere = names.lookupFunction('arn:aws:lambda:eu-west-1:000000000000:function:longhaul-dev-video-probe');
    expect(elsewhere.ok).to.equal(false);
    if (!elsewhere.ok) expect(elsewhere.message).to.contain('eu-west-1');
  });

  describe('the invoker behind deployed names', () => {
    const calls: string[] = [];
    const runner: LambdaInvoker = {
      async invoke(name, payload): Promise<InvokeOutcome> {
        calls.push(name);
        return { ok: true, payload, requestId: 'r', durationMs: 1 };
      },
    };
    const invoker = deployedNameInvoker(names, runner);

    it('calls the runner with the catalog name', async () => {
      const outcome = await invoker.invoke(probeArn, { a: 1 });
      expect(calls).to.deep.equal(['VideoProbe']);
      expect(outcome).to.include({ ok: true });
    });

    it('fails an unknown function as Lambda does, without calling the runner', async () => {
      calls.length = 0;
      const outcome = await invoker.invoke('arn:aws:lambda:us-east-1:000000000000:function:VideoProbe', {});
      expect(calls).to.deep.equal([]);
      expect(outcome.ok).to.equal(false);
      if (!outcome.ok) {
        expect(outcome.error.errorType).to.equal('ResourceNotFoundException');
        expect(outcome.error.errorMessage).to.contain('longhaul-dev-record-failure');
      }
    });
  });
});
