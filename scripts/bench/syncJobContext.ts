/** What a sync job running in a child process (syncJobs.ts) may tell its parent, and hear from it. */
export interface JobContext {
  ready(): void;
  progress(text: string): void;
  /** Resolves when the parent asks a long-running job to finish. */
  finishRequested: Promise<void>;
}
