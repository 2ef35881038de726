import { expect } from 'chai';
import { readStackConfig, resourceName } from '../../infra/config';

describe('infra/config', () => {
  it('defaults to stack dev, prefix longhaul, us-east-1 and no alarm e-mail', () => {
    expect(readStackConfig({})).to.deep.equal({
      stackName: 'dev',
      prefix: 'longhaul',
      region: 'us-east-1',
      alarmEmail: undefined,
      logRetentionDays: 30,
      workExpirationDays: 7,
      maxConcurrency: 50,
      stateBucket: undefined,
      stateRegion: 'us-east-1',
    });
  });

  it('reads every setting from its environment variable', () => {
    const config = readStackConfig({
      LONGHAUL_STACK: 'prod',
      LONGHAUL_PREFIX: 'acme',
      AWS_REGION: 'eu-central-1',
      LONGHAUL_ALARM_EMAIL: 'ops@example.com',
      LONGHAUL_LOG_RETENTION_DAYS: '90',
      LONGHAUL_WORK_EXPIRATION_DAYS: '2',
      LONGHAUL_MAX_CONCURRENCY: '20',
      LONGHAUL_STATE_BUCKET: 'acme-terraform-state',
    });
    expect(config).to.deep.equal({
      stackName: 'prod',
      prefix: 'acme',
      region: 'eu-central-1',
      alarmEmail: 'ops@example.com',
      logRetentionDays: 90,
      workExpirationDays: 2,
      maxConcurrency: 20,
      stateBucket: 'acme-terraform-state',
      stateRegion: 'eu-central-1',
    });
    expect(readStackConfig({ LONGHAUL_STATE_BUCKET: 'acme.state', LONGHAUL_STATE_REGION: 'us-west-2' }).stateRegion).to.equal('us-west-2');
    expect(resourceName(config, 'video')).to.equal('acme-prod-video');
  });

  it('treats empty variables as unset', () => {
    expect(readStackConfig({ LONGHAUL_STACK: '', LONGHAUL_ALARM_EMAIL: ' ' }).stackName).to.equal('dev');
  });

  it('rejects bad values naming the variable', () => {
    expect(() => readStackConfig({ LONGHAUL_STACK: 'Prod_1' })).to.throw(/LONGHAUL_STACK="Prod_1"/);
    expect(() => readStackConfig({ LONGHAUL_PREFIX: 'a'.repeat(30) })).to.throw(/LONGHAUL_PREFIX=/);
    expect(() => readStackConfig({ AWS_REGION: 'mars' })).to.throw(/AWS_REGION="mars"/);
    expect(() => readStackConfig({ LONGHAUL_ALARM_EMAIL: 'nobody' })).to.throw(/LONGHAUL_ALARM_EMAIL="nobody"/);
    expect(() => readStackConfig({ LONGHAUL_LOG_RETENTION_DAYS: '8' })).to.throw(/LONGHAUL_LOG_RETENTION_DAYS=8 must be one of/);
    expect(() => readStackConfig({ LONGHAUL_WORK_EXPIRATION_DAYS: 'soon' })).to.throw(/LONGHAUL_WORK_EXPIRATION_DAYS="soon"/);
    for (const cap of ['0', '10001', 'lots', '2.5']) {
      expect(() => readStackConfig({ LONGHAUL_MAX_CONCURRENCY: cap })).to.throw(new RegExp(`LONGHAUL_MAX_CONCURRENCY="${cap.replace('.', '\\.')}" must be a whole number from 1 to 10000`));
    }
    // S3's naming rules: lower case, 3-63 characters, no "..", not an IP address.
    for (const bucket of ['Acme-State', 'ab', 'a'.repeat(64), 'acme..state', '-acme', '192.168.1.1', 'acme_state']) {
      expect(() => readStackConfig({ LONGHAUL_STATE_BUCKET: bucket }), bucket).to.throw(/LONGHAUL_STATE_BUCKET=".*" is not an S3 bucket name/);
    }
    expect(() => readStackConfig({ LONGHAUL_STATE_BUCKET: 'acme-state', LONGHAUL_STATE_REGION: 'moon' })).to.throw(/LONGHAUL_STATE_REGION="moon"/);
  });
});
