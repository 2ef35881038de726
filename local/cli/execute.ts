import type { CliCommand } from './command';

export const executeCommand: CliCommand = {
  name: 'execute',
  summary: 'not implemented yet',
  help: 'not implemented yet',
  async run() {
    console.error('longhaul execute: not implemented yet');
    return 2;
  },
};
