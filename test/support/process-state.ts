// Test helper: is a process really gone? A killed process may linger as a zombie until its parent
// reaps it (this machine's pid 1 may never reap), and a zombie runs nothing: count it as gone.
import { readFileSync } from 'node:fs';

export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Polls until the process is gone; resolves false if it is still there after `limitMs`. */
export async function waitUntilGone(pid: number, limitMs = 5000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (isGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return isGone(pid);
}
