import v8 from 'v8';

/**
 * A read allocates ~10 KB per row that dies almost at once, but some of it is promoted, and by
 * default V8 lets the old generation grow to several times its live size (~20 MB here) before a
 * full collection: peak RSS rose with the length of the run (~145 MB at 100k rows, ~195 MB at
 * 1M). Growing the heap by 30% per step keeps it flat (~145 MB at 1M) for a few percent of CPU.
 * A growth factor, not a limit: a heap that must grow still can. The flag is process-wide and
 * read at every full collection of every thread (main and workers alike).
 */
let gcTuned = false;
export function tuneGcForStreaming(): void {
  if (gcTuned) return;
  gcTuned = true;
  v8.setFlagsFromString('--heap-growing-percent=30');
}

