// CPU time of this process's children, read from /proc (Linux): what a benchmark can trust on a machine
// it shares, where durations swing with whatever else runs and CPU seconds barely move.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second (`getconf CLK_TCK`, 100 on Linux). */
const CLOCK_TICKS = 100;

/** The fields of /proc/<pid>/stat after the command (state is field 0). */
function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

const ticksMs = (ticks: number) => (ticks * 1000) / CLOCK_TICKS;

/** CPU (user + system) of this process itself, in ms: here, the local S3, DynamoDB, engine and runner. */
export function ownCpuMs(): number {
  const f = statFields('self');
  return ticksMs(Number(f[11]) + Number(f[12]));
}

/** CPU (user + system) of a live process `pid` and the children it has waited for, in ms. */
export function processCpuMs(pid: number): number {
  const f = statFields(pid);
  return ticksMs(Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
}

/**
 * CPU (user + system) of this process's children that have exited and been waited for, in ms: the
 * monolithic ffmpeg once it is done, the Lambda workers (and the ffmpeg they ran) once the stack stops.
 */
export function exitedChildrenCpuMs(): number {
  const f = statFields('self');
  return ticksMs(Number(f[13]) + Number(f[14]));
}

/**
 * CPU (user + system) of each live Lambda worker this process started, with the children it waited for
 * (its ffmpeg runs), by the function it runs (its AWS_LAMBDA_FUNCTION_NAME), summed over its workers.
 */
export function workerCpuByFunction(): Record<string, number> {
  const byFunction: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const f = statFields(pid);
      if (Number(f[1]) !== process.pid) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const name = env.find((v) => v.startsWith('AWS_LAMBDA_FUNCTION_NAME='))?.slice('AWS_LAMBDA_FUNCTION_NAME='.length);
      if (!name) continue;
      byFunction[name] = (byFunction[name] ?? 0) + processCpuMs(pid);
    } catch {
      // Gone while we looked.
    }
  }
  return byFunction;
}

/**
 * The machine's CPU time so far, from /proc/stat: `steal` is time the hypervisor gave this VM's CPUs to
 * someone else, which stretches durations and CPU times alike (ms, all CPUs together).
 */
export function machineCpu(): { totalMs: number; stealMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal ...
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { totalMs: ticksMs(ticks.reduce((a, b) => a + b, 0)), stealMs: ticksMs(ticks[7]!) };
}

/** Share of the machine's CPU time stolen between two readings of machineCpu(). */
export function stealShare(a: ReturnType<typeof machineCpu>, b: ReturnType<typeof machineCpu>): number {
  const total = b.totalMs - a.totalMs;
  return total > 0 ? (b.stealMs - a.stealMs) / total : 0;
}
