// Runs the local S3 and DynamoDB servers in their own process at a lower priority (nice 10). In AWS they
// run on other machines; here they share the benchmark's 2 cores with the tasks, and s3rver's CPU (a
// quarter of a core while chunks encode) would stretch every task it overlaps. At nice 10 the tasks get
// the cores first, and a task still waits for the servers whenever it needs them.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { LocalServices } from '../local/services';
import { processCpuMs } from './process-cpu';

export interface ServicesProcess extends LocalServices {
  /** CPU the servers have used so far (their process and whatever it waited for), in ms. */
  cpuMs(): number;
}

export async function startServicesProcess(dataDir: string, niceness = 10): Promise<ServicesProcess> {
  const child = spawn('nice', ['-n', String(niceness), process.execPath, '--import', 'tsx', new URL('./services-child.ts', import.meta.url).pathname, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the services process exited (${code}) before it was ready`);
    }),
  ]);
  const described = JSON.parse(first) as Omit<LocalServices, 'stop'>;
  let stopping: Promise<void> | undefined;
  return {
    ...described,
    cpuMs: () => processCpuMs(child.pid!),
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const [code] = await exited;
        if (code !== 0) throw new Error(`the services process exited with ${code}`);
      })()),
  };
}
