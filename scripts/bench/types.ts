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

export type Bench = () => Promise<BenchResult>;
