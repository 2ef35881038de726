// Whether a process still exists, for cleaning up after owners that died without doing it themselves.

/** True when `pid` exists, ours or someone else's (EPERM: alive but another user's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
