// The longhaul CLI as a user runs it: `node bin/longhaul.mjs …` in a child process, with its exit code
// and both streams (a non-zero exit is a result to assert on, not a thrown error).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const longhaul = join(process.cwd(), 'bin/longhaul.mjs');

export async function runCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [longhaul, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
