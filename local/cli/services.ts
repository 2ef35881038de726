import type { CliCommand } from './command';

export const servicesCommand: CliCommand = {
  name: 'services',
  summary: 'not implemented yet',
  help: 'not implemented yet',
  async run() {
    console.error('longhaul services: not implemented yet');
    return 2;
  },
};
