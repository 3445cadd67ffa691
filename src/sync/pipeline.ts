import crypto from 'crypto';

import {IdAssigner} from '../normalize';
import {TrackingConflict} from '../track';
import {tuneGcForStreaming} from '../work/gc';
import {UnitOutput} from '../work/unit';

/** A record of the tracking_conflicts stream: the conflict, and which usage record it is about. */
export interface ConflictRecord extends TrackingConflict {
  id: string;
  record_id: string;
  stream: string;
  usage_date: string;
  resource_id: string | null;
}

/** What one slice produced besides records: counted, then logged once per slice. */
export class SliceTally {
  records = 0;
  parseErrors = 0;
  conflicts = 0;
  readonly rejected = new Map<string, number>();

  get rejectedTotal(): number {
    let n = 0;
    for (const count of this.rejected.values()) n += count;
    return n;
  }

  describeRejected(): string {
    return [...this.rejected.entries()].map(([reason, count]) => `${count} × ${reason}`).join(', ');
  }
}

/**
 * The main thread's end of the per-record steps: the units of a slice (work/unit.ts) arrive in
 * order with ids that are bare hashes; this gives repeated rows of a day their `-n` suffix
 * (slices never split a day, so one instance per slice counts per day), emits the conflicts
 * with their final ids, and counts what the slice produced.
 */
export class RecordPipeline {
  private readonly ids = new IdAssigner();
  readonly tally = new SliceTally();

  constructor(
    private readonly stream: string,
    private readonly onConflict: ((conflict: ConflictRecord) => void) | undefined,
  ) {
    tuneGcForStreaming();
  }

  /** Takes a unit's results; returns its RECORD bytes with the final ids, in one buffer. */
  finish(unit: UnitOutput): Uint8Array {
    const pieces = this.finishPieces(unit);
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  }

  /**
   * Takes a unit's results; returns its RECORD bytes with the final ids, to be written in order:
   * views of the unit's own bytes, with the `-n` suffixes of repeated rows between them. Nothing
   * is copied, so a unit with repeats costs no more to write than one without.
   */
  finishPieces(unit: UnitOutput): Uint8Array[] {
    const {keys, idEnds, bytes} = unit;
    const emitting = idEnds.length > 0;
    let suffixes: Map<number, number> | null = null;
    let pieces: Uint8Array[] | null = null;
    let copied = 0;
    for (let i = 0; i < keys.length; i++) {
      const n = this.ids.occurrence(keys[i]);
      if (n === 0) continue;
      (suffixes ??= new Map()).set(i, n);
      if (emitting) {
        pieces ??= [];
        pieces.push(bytes.subarray(copied, idEnds[i]), Buffer.from('-' + n));
        copied = idEnds[i];
      }
    }
    this.tally.conflicts += unit.conflictCount;
    if (this.onConflict) {
      for (const c of unit.conflicts) {
        const n = suffixes?.get(c.index);
        const recordId = n ? unit.hashes![c.index] + '-' + n : unit.hashes![c.index];
        this.onConflict({
          id: conflictId(recordId, c.conflict.tracking_key),
          record_id: recordId,
          stream: this.stream,
          usage_date: c.usage_date,
          resource_id: c.resource_id,
          ...c.conflict,
        });
      }
    }
    this.tally.records += unit.records;
    this.tally.parseErrors += unit.parseErrors;
    for (const [reason, count] of unit.rejected) this.tally.rejected.set(reason, (this.tally.rejected.get(reason) ?? 0) + count);
    if (!pieces) return [bytes];
    pieces.push(bytes.subarray(copied));
    return pieces;
  }
}

function conflictId(recordId: string, key: string): string {
  return crypto.createHash('sha1').update(`${recordId}\u0000${key}`).digest('hex').slice(0, 32);
}
