/**
 * Columns outside the events table that name the journal entry recording a row (a member's last
 * change, an activity's start, a command's entry…). When entries are re-appended at new seqs
 * (journal/branch.ts), these follow them, so a row never names a seq that now holds nothing.
 */
export const SEQ_REFERENCES: ReadonlyArray<readonly [table: string, column: string]> = [
  ['clock_corrections', 'seq'],
  ['members', 'updated_seq'],
  ['activities', 'started_seq'],
  ['activities', 'ended_seq'],
  ['activity_plans', 'received_seq'],
  ['fingers', 'enrolled_seq'],
  ['template_escrow', 'created_seq'],
  ['template_escrow', 'sent_seq'],
  ['module_binding', 'bound_seq'],
  ['signin_last', 'seq'],
  ['pending_slot_deletions', 'queued_seq'],
  ['file_uploads', 'queued_seq'],
  ['file_uploads', 'done_seq'],
  ['center_commands', 'seq'],
  ['recording_segments', 'indexed_seq'],
  ['recording_segments', 'pruned_seq'],
];

/**
 * Seq columns that are not references to a recorded entry: the chain's own bookkeeping, which the
 * journal maintains itself. Every seq column of the schema is in one of the two lists (a test checks).
 */
export const SEQ_BOOKKEEPING: ReadonlyArray<readonly [table: string, column: string]> = [
  ['events', 'seq'],
  ['journal_meta', 'head_seq'],
  ['journal_meta', 'verified_seq'],
  ['checkpoints', 'seq'],
  ['sync_anchor', 'seq'],
  ['device_keys', 'first_seq'],
  ['journal_branches', 'seq'],
  ['journal_branches', 'gap_seq'],
  ['journal_branches', 'carried_seq'],
  // Where the last full verification found the chain broken: what it found then, never moved.
  ['full_verification', 'first_broken_seq'],
];
