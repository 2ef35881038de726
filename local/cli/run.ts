import type { CliCommand } from './command';

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'not implemented yet',
  help: 'not implemented yet',
  async run() {
    console.error('longhaul run: not implemented yet');
    return 2;
  },
};
