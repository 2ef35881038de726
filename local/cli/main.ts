// Entry point of the `longhaul` command: dispatches to one module per sub-command.
import { UsageError, type CliCommand } from './command';
import { executeCommand } from './execute';
import { genCommand } from './gen';
import { invokeCommand } from './invoke';
import { predictCommand } from '../ml/predict-command';
import { runCommand } from './run';
import { servicesCommand } from './services';
import { outputsCommand } from './outputs';
import { serveCommand } from './serve';
import { watchCommand } from './watch';
import { timelineCommand } from './timeline';
import { costCommand } from './cost';

// The CLI itself may run on this machine's node 20: the SDK's notice about node < 22 concerns the laptop,
// not the job. Workers need no such setting: they run on Lambda's Node 22 (local/lambda/lambda-node.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const commands: CliCommand[] = [invokeCommand, servicesCommand, serveCommand, outputsCommand, executeCommand, runCommand, genCommand, predictCommand, watchCommand, timelineCommand, costCommand];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'longhaul: run the pipelines locally, exactly as AWS Lambda and Step Functions would.',
    '',
    'Usage: longhaul <command> [options]   (longhaul <command> --help for details)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`longhaul: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(typeof command.help === 'function' ? command.help(rest) : command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`longhaul ${command.name}: ${err.message}\nRun "longhaul ${command.name} --help" for usage.`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
