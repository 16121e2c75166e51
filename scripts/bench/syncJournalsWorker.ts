/** Worker thread entry of fillJournals (syncJournals.ts): fills its share of the journals. */
import { workerData } from 'node:worker_threads';
import { fillJournal, type FillJob } from './syncJournals.js';

const job = workerData as FillJob;
for (const dataDir of job.dataDirs) fillJournal(dataDir, job.count);
