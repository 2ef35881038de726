import type { CliCommand } from './command';

export const invokeCommand: CliCommand = {
  name: 'invoke',
  summary: 'not implemented yet',
  help: 'not implemented yet',
  async run() {
    console.error('longhaul invoke: not implemented yet');
    return 2;
  },
};
