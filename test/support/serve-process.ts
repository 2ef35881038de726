// `longhaul serve` in a process of its own, for the crash test: the pipelines left out, one fixture
// function (`Recorder`, test/fixtures/functions/probe.ts) in. Prints one JSON line with the endpoint and
// the deployed function names once it listens, then serves until killed.
import { startServe } from '../../local/serve/serve';
import { fixtureFunction } from './fixture-function';

const [dataDir] = process.argv.slice(2) as [string];
const serve = await startServe({
  dataDir,
  port: 0,
  pipelines: [],
  functions: [fixtureFunction('Recorder')],
  naming: { prefix: 'longhaul', stackName: 'dev' },
  onLog: () => {},
});
process.stdout.write(`${JSON.stringify({ endpoint: serve.endpoint, functionNames: serve.functionNames, resumed: serve.resumedExecutions, credentials: serve.credentials, region: serve.region })}\n`);
