import crypto from 'crypto';

import {finalId, IdAssigner} from '../normalize/id';
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
 * order with provisional ids; this finishes the ids (the id's second step, id.ts: slices never
 * split a day, so one instance per slice counts per day), emits the conflicts with their final
 * ids, and counts what the slice produced.
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
   * Takes a unit's results; returns its RECORD bytes with the final ids (id.ts), to be written in
   * order: views of the unit's own bytes, nothing copied.
   */
  finishPieces(unit: UnitOutput): Uint8Array[] {
    const {pieces, repeats} = this.ids.finishIds(unit.keys, unit.idEnds, unit.bytes);
    this.tally.conflicts += unit.conflictCount;
    if (this.onConflict) {
      for (const c of unit.conflicts) {
        const recordId = finalId(unit.hashes![c.index], repeats?.get(c.index) ?? 0);
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
    return pieces;
  }
}

function conflictId(recordId: string, key: string): string {
  return crypto.createHash('sha1').update(`${recordId}\u0000${key}`).digest('hex').slice(0, 32);
}
