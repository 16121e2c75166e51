/** One measured figure; `baseline` is the same measure of the reference, taken in the same run. */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  baseline?: number | undefined;
  /** value / baseline, or how the note says to read it. */
  ratio?: number | undefined;
  note?: string | undefined;
}

export interface BenchResult {
  name: string;
  rows: BenchRow[];
}

/** `--name=value` arguments of `npm run bench`, for the benches that take any (e.g. sync-fleet --rooms=50). */
export type BenchOptions = ReadonlyMap<string, string>;

/** A bench with nothing to wait for (the journal append is synchronous) returns its result directly. */
export type Bench = (options: BenchOptions) => BenchResult | Promise<BenchResult>;
