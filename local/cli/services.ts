// `longhaul services`: local S3 and DynamoDB for poking at with the AWS CLI or your own code.
import { startLocalServices, type LocalServices, type LocalServicesOptions } from '../services';
import { UsageError, defineCommand, type CliCommand } from './command';
import { parseOptions } from './option-values';
import { waitForCtrlC } from './cli-deps';
import { awsCommand, exportLines } from './shell-text';

export interface ServicesDeps {
  startServices(opts: LocalServicesOptions): Promise<LocalServices>;
  stdout(text: string): void;
  /** Resolves when the services should stop (Ctrl-C by default). */
  untilStopped(): { promise: Promise<void>; dispose(): void };
}

const help = `Usage: longhaul services [--data-dir <dir>] [--region <region>] [--verbose]

Starts local S3 (s3rver) and DynamoDB (dynalite) on free loopback ports, with the data bucket
and the progress table created from the same definitions infra uses. Prints the endpoints, the
environment variables for the SDK and the AWS CLI commands to use them, then runs until Ctrl-C.

Options:
  --data-dir <dir>   Keep objects and items in <dir> (reused next time). Default: a temporary
                     directory, removed at exit.
  --region <region>  Default us-east-1.
  --verbose          Log every S3 request.
  -h, --help         This text.`;

export function describeServices(services: LocalServices, keepsData: boolean): string {
  const aws = awsCommand();
  const env = { ...services.env, AWS_DEFAULT_REGION: services.region };
  return [
    `S3        ${services.endpoints.s3}   bucket ${services.bucket}`,
    `DynamoDB  ${services.endpoints.dynamodb}   table  ${services.table}`,
    `Data      ${services.dataDir}${keepsData ? '' : '   (temporary: removed at exit; use --data-dir to keep it)'}`,
    '',
    'Environment for the AWS SDK and CLI (paste into a shell):',
    ...exportLines(env),
    '',
    'AWS CLI (it needs --endpoint-url per command):',
    `  ${aws} --endpoint-url ${services.endpoints.s3} s3 ls s3://${services.bucket}/ --recursive`,
    `  ${aws} --endpoint-url ${services.endpoints.s3} s3 cp ./input.mp4 s3://${services.bucket}/jobs/demo/input/input.mp4`,
    `  ${aws} --endpoint-url ${services.endpoints.dynamodb} dynamodb scan --table-name ${services.table}`,
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

const defaultDeps: ServicesDeps = {
  startServices: startLocalServices,
  stdout: (text) => process.stdout.write(`${text}\n`),
  untilStopped: waitForCtrlC,
};

/** Runs the services until the user stops them; the exit status. */
async function serveUntilStopped(deps: ServicesDeps, argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    'data-dir': { type: 'string' },
    region: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  // Listen before starting, so a Ctrl-C during start-up still stops what was started.
  const stopped = deps.untilStopped();
  const services = await deps.startServices({
    dataDir: values['data-dir'],
    region: values.region,
    quiet: !values.verbose,
  });
  try {
    deps.stdout(describeServices(services, values['data-dir'] !== undefined));
    await stopped.promise;
    deps.stdout('Stopping.');
    return 0;
  } finally {
    stopped.dispose();
    await services.stop();
  }
}

export const createServicesCommand = defineCommand<ServicesDeps>(defaultDeps, { name: 'services', summary: 'start local S3 and DynamoDB and print how to reach them', help, run: serveUntilStopped });

export const servicesCommand: CliCommand = createServicesCommand();
