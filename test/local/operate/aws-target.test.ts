// The shared flags of the operating tools: flags over environment over defaults, the progress table from
// the flag, LONGHAUL_TABLE, a local server's outputs or the deployed name, and errors naming the flag.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsTargetFromFlags, createOperateClients } from '../../../local/operate/aws-target';

describe('aws-target', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-target-'));
    await writeFile(join(dir, 'outputs.json'), JSON.stringify({ endpoint: 'http://127.0.0.1:4999', progress_table: 'served-progress' }));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads flags first, then the environment, then defaults', () => {
    expect(awsTargetFromFlags({}, {})).to.deep.equal({ endpoint: undefined, region: 'us-east-1', table: 'longhaul-dev-progress' });
    const env = { AWS_ENDPOINT_URL: 'http://localhost:4566/', AWS_DEFAULT_REGION: 'eu-west-1', LONGHAUL_TABLE: 't-env' };
    expect(awsTargetFromFlags({}, env)).to.deep.equal({ endpoint: 'http://localhost:4566', region: 'eu-west-1', table: 't-env' });
    expect(awsTargetFromFlags({}, { ...env, AWS_REGION: 'eu-central-1' }).region).to.equal('eu-central-1');
    expect(awsTargetFromFlags({ 'endpoint-url': 'http://127.0.0.1:1', region: 'us-west-2', table: 't-flag' }, env)).to.deep.equal({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-west-2',
      table: 't-flag',
    });
  });

  it('names the table as infra deploys it in AWS, and as a local server\'s outputs say locally', () => {
    expect(awsTargetFromFlags({}, { LONGHAUL_PREFIX: 'acme', LONGHAUL_STACK: 'prod' }).table).to.equal('acme-prod-progress');
    expect(awsTargetFromFlags({ 'endpoint-url': 'http://127.0.0.1:4999', 'data-dir': dir }, {}).table).to.equal('served-progress');
    expect(() => awsTargetFromFlags({ 'endpoint-url': 'http://127.0.0.1:4999', 'data-dir': join(dir, 'none') }, {})).to.throw(/no outputs in/);
  });

  it('refuses a bad endpoint or region, naming the flag', () => {
    expect(() => awsTargetFromFlags({ 'endpoint-url': '127.0.0.1:4566' }, {})).to.throw(/--endpoint-url must be an http\(s\) URL/);
    expect(() => awsTargetFromFlags({ region: 'virginia' }, {})).to.throw(/--region must be a region name/);
  });

  it('uses the keys of the environment it is given, else the local key pair for a local endpoint', async () => {
    const target = awsTargetFromFlags({ 'endpoint-url': 'http://127.0.0.1:1' }, {});
    const local = createOperateClients(target, {});
    const given = createOperateClients(target, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' });
    try {
      expect((await local.sfn.config.credentials()).accessKeyId).to.equal('LONGHAUL');
      expect(await local.sfn.config.region()).to.equal('us-east-1');
      expect(await given.lambda.config.credentials()).to.include({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's', sessionToken: 't' });
    } finally {
      local.destroy();
      given.destroy();
    }
  });
});
