/** The days a request covers, inclusive, as YYYY-MM-DD (the sync's slices are such ranges). */
export interface DateRange {
  start: string;
  end: string;
}
