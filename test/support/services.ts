// Mocha helper: real local S3 and DynamoDB for one test file.
//
//   const services = useLocalServices();
//   it('...', async () => { services().bucket ... });
//
// Starts the services in `before`, points process.env at them (so handler code and handlers/lib
// work unchanged), and in `after` restores the environment and stops them.
import { resetProgressClients } from '../../handlers/lib/progress';
import { resetS3Clients } from '../../handlers/lib/s3';
import { startLocalServices, type LocalServices, type LocalServicesOptions } from '../../local/services';

const QUIET_SDK = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

export function useLocalServices(opts: LocalServicesOptions = {}): () => LocalServices {
  let services: LocalServices | undefined;
  const saved = new Map<string, string | undefined>();

  before(async function () {
    this.timeout(60_000);
    // The SDK's "upgrade to node 22" notice is once per process and says nothing about the test.
    saved.set(QUIET_SDK, process.env[QUIET_SDK]);
    process.env[QUIET_SDK] = 'true';
    services = await startLocalServices({ quiet: true, ...opts });
    for (const [name, value] of Object.entries(services.env)) {
      if (!saved.has(name)) saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  });

  after(async function () {
    this.timeout(60_000);
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    saved.clear();
    resetS3Clients();
    resetProgressClients();
    await services?.stop();
    services = undefined;
  });

  return () => {
    if (!services) throw new Error('useLocalServices: services are only available inside tests (after before())');
    return services;
  };
}
