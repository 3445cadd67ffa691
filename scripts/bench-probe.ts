/**
 * Loaded into the connector under benchmark with `node --require lib/scripts/bench-probe.js`:
 * it only observes. At exit it writes one `BENCH_PROBE {json}` line to stderr with the
 * process's own peak RSS (getrusage maxRSS), its heap after the run, its CPU time, and the last
 * progress and INFO log lines it saw on stdout. To see those it wraps process.stdout.write and
 * looks at the last line of each chunk (the connector flushes every LOG message at once, so a
 * LOG line is always the last line of its chunk): constant work per 256 KB write, no scan of
 * the records.
 */
import fs from 'fs';

const started = process.hrtime.bigint();
let lastProgress = '';
let lastInfo = '';
let writes = 0;
let chars = 0; // string length or bytes, as written

const LOG_PREFIX = '{"type":"LOG"';
const RECORD_PREFIX = '{"type":"RECORD"';
const RECORD_BYTES = Buffer.from(RECORD_PREFIX);
/** When the first write holding a RECORD line returned, in epoch ms (sub-ms precision). */
let firstRecordAtMs: number | null = null;

function holdsRecord(chunk: unknown): boolean {
  if (typeof chunk === 'string') return chunk.includes(RECORD_PREFIX);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).indexOf(RECORD_BYTES) >= 0;
  return false;
}

function lastLogMessage(chunk: string | Buffer): string | undefined {
  const last = typeof chunk === 'string' ? chunk.length - 1 : chunk.length - 1;
  const isNl = typeof chunk === 'string' ? chunk.charCodeAt(last) === 10 : chunk[last] === 10;
  const end = isNl ? last : last + 1;
  const k = (typeof chunk === 'string' ? chunk.lastIndexOf('\n', end - 1) : chunk.lastIndexOf(10, end - 1)) + 1;
  const line = typeof chunk === 'string' ? chunk.slice(k, end) : chunk.subarray(k, end).toString('utf8');
  if (!line.startsWith(LOG_PREFIX)) return undefined;
  try {
    return (JSON.parse(line) as {log: {message: string}}).log.message;
  } catch {
    return undefined;
  }
}

const stdout = process.stdout as unknown as {write: (...args: unknown[]) => boolean};
const original = stdout.write.bind(process.stdout);
stdout.write = (chunk: unknown, ...rest: unknown[]): boolean => {
  writes++;
  if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) {
    chars += chunk.length;
    const message = lastLogMessage(chunk);
    if (message !== undefined) {
      if (message.includes(' done; ')) lastProgress = message;
      lastInfo = message;
    }
  }
  const ok = original(chunk, ...rest);
  if (firstRecordAtMs === null && holdsRecord(chunk)) firstRecordAtMs = performance.timeOrigin + performance.now();
  return ok;
};

process.on('exit', () => {
  const usage = process.resourceUsage();
  const report = {
    maxRssKb: usage.maxRSS,
    heapUsedBytes: process.memoryUsage().heapUsed,
    userCpuMs: usage.userCPUTime / 1000,
    systemCpuMs: usage.systemCPUTime / 1000,
    elapsedMs: Number(process.hrtime.bigint() - started) / 1e6,
    stdoutWrites: writes,
    stdoutChars: chars,
    lastProgress,
    lastInfo,
    firstRecordAtMs,
  };
  fs.writeSync(2, `BENCH_PROBE ${JSON.stringify(report)}\n`);
});
