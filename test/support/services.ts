// Mocha helper: real local S3 and DynamoDB for one test file.
//
//   const services = useLocalServices();
//   it('...', async () => { services().bucket ... });
//
// Starts the services in `before`, points process.env at them (so handler code and handlers/lib
// work unchanged), and in `after` restores the environment and stops them.
import { applyEnv } from '../../local/process-env';
import { startLocalServices, type LocalServices, type LocalServicesOptions } from '../../local/services';

export function useLocalServices(opts: LocalServicesOptions = {}): () => LocalServices {
  let services: LocalServices | undefined;
  let restoreEnv: (() => void) | undefined;

  before(async function () {
    this.timeout(60_000);
    services = await startLocalServices({ quiet: true, ...opts });
    restoreEnv = applyEnv(services.env);
  });

  after(async function () {
    this.timeout(60_000);
    restoreEnv?.();
    restoreEnv = undefined;
    await services?.stop();
    services = undefined;
  });

  return () => {
    if (!services) throw new Error('useLocalServices: services are only available inside tests (after before())');
    return services;
  };
}
