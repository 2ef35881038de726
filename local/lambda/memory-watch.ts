// Lambda caps the whole sandbox's memory, not just V8's heap: Buffers, native allocations and child
// processes (ffmpeg) count too. --max-old-space-size only caps the heap, so while an invocation runs
// the runner samples the resident memory of the worker's process group from /proc and kills it above
// the function's memory (Runtime.OutOfMemory), as Lambda would.
//
// Only for functions of MEMORY_WATCH_MIN_MB or more: node with tsx compiling TypeScript on the fly
// (--from-source) already holds ~70-130 MB before the handler does anything, which Lambda's node
// (running bundled JavaScript) does not, so a 128-256 MB function would be killed locally where it fits
// in AWS. Workers running the bundles hold ~50-90 MB, closer to Lambda's; the cap still waits on
// measuring what Lambda's own runtime takes of a small function's memory.
import { readdir, readFile } from 'node:fs/promises';

export const MEMORY_WATCH_MIN_MB = 512;
export const MEMORY_SAMPLE_INTERVAL_MS = 150;
/** Linux on x86-64 and most arm64 builds; /proc reports resident memory in pages. */
const PAGE_BYTES = 4096;

/** Resident bytes of every process in process group `pgid` (Linux /proc; 0 where /proc is missing). */
export async function groupRssBytes(pgid: number): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return 0;
  }
  let pages = 0;
  await Promise.all(
    entries.map(async (entry) => {
      if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) return;
      try {
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
        // Fields after "(comm)": state ppid pgrp ... rss is the 24th field overall.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pgid) pages += Number(fields[21]) || 0;
      } catch {
        // Exited while we looked.
      }
    }),
  );
  return pages * PAGE_BYTES;
}

/**
 * Samples the group's memory until stopped; calls `onExceeded` once with the figure in MB when it
 * goes over `memoryMb`. Returns the stop function. Does nothing below MEMORY_WATCH_MIN_MB.
 */
export function watchGroupMemory(pgid: number, memoryMb: number, onExceeded: (rssMb: number) => void): () => void {
  if (memoryMb < MEMORY_WATCH_MIN_MB || process.platform !== 'linux') return () => {};
  let stopped = false;
  let sampling = false;
  const timer = setInterval(() => {
    if (sampling || stopped) return;
    sampling = true;
    void groupRssBytes(pgid).then((bytes) => {
      sampling = false;
      const mb = bytes / (1024 * 1024);
      if (!stopped && mb > memoryMb) {
        stopped = true;
        clearInterval(timer);
        onExceeded(Math.round(mb));
      }
    });
  }, MEMORY_SAMPLE_INTERVAL_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
