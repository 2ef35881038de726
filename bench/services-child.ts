// The local S3 and DynamoDB servers in a process of their own (see services-process.ts): prints what a
// stack needs to reach them as one JSON line, and stops them on SIGTERM.
import { startLocalServices } from '../local/services';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: services-child.ts <dataDir>');
const services = await startLocalServices({ dataDir, quiet: true });
const { stop: _stop, ...described } = services;
process.stdout.write(`${JSON.stringify(described)}\n`);
process.once('SIGTERM', () => {
  void services.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
