import { describe, expect, it } from 'vitest';
import { Transfer } from '../../src/sync/files/transfer.js';
import type { UploadRow } from '../../src/sync/files/uploadRows.js';

const SEGMENT = 10;

function transfer(ackedOffset = 0, size = 100): Transfer {
  const row: UploadRow = {
    fileId: 'f',
    path: '/x',
    name: 'x',
    kind: 'photo',
    size,
    sha256: '0'.repeat(64),
    meta: {},
    ackedOffset,
    attempts: 0,
    state: 'pending',
    error: null,
    queuedSeq: 1,
    doneSeq: null,
  };
  return new Transfer(row, SEGMENT, 4);
}

/** Takes every segment the window allows; returns their offsets. */
function drain(upload: Transfer): number[] {
  const offsets: number[] = [];
  for (let segment = upload.takeSegment(); segment !== undefined; segment = upload.takeSegment())
    offsets.push(segment.offset);
  return offsets;
}

describe('Transfer', () => {
  it('resumes where the answer to the init says, and keeps at most 4 segments ahead of the center', () => {
    const upload = transfer();
    expect(drain(upload)).toEqual([]);
    expect(upload.acknowledge(30)).toBe(true);
    expect(drain(upload)).toEqual([30, 40, 50, 60]);
    expect(upload.acknowledge(40)).toBe(true);
    expect(drain(upload)).toEqual([70]);
    expect(upload.takeSegment()).toBeUndefined();
  });

  it('cuts the last segment at the file size', () => {
    const upload = transfer(0, 25);
    upload.acknowledge(0);
    expect([upload.takeSegment(), upload.takeSegment(), upload.takeSegment(), upload.takeSegment()]).toEqual([
      { offset: 0, length: 10 },
      { offset: 10, length: 10 },
      { offset: 20, length: 5 },
      undefined,
    ]);
  });

  it('ignores an answer that does not move: neither a duplicate nor a gap sends anything again', () => {
    const upload = transfer();
    upload.acknowledge(0);
    drain(upload);
    expect(upload.acknowledge(10)).toBe(true);
    expect(upload.acknowledge(10)).toBe(false);
    expect(upload.next).toBe(40);
  });

  it('goes back when the center holds less than it said while sending', () => {
    const upload = transfer();
    upload.acknowledge(0);
    drain(upload);
    upload.acknowledge(30);
    expect(upload.acknowledge(10)).toBe(true);
    expect(drain(upload)).toEqual([10, 20, 30, 40]);
  });

  it('holds back a lower answer to an init (an old acknowledgement delivered again) until the silence confirms it', () => {
    const upload = transfer(50);
    expect(upload.acknowledge(30)).toBe(false);
    expect(drain(upload)).toEqual([]);
    // The real answer comes: the lower one is forgotten.
    expect(upload.acknowledge(60)).toBe(true);
    expect(upload.takeHeldAnswer()).toBe(false);
    expect(drain(upload)).toEqual([60, 70, 80, 90]);

    const lost = transfer(50);
    lost.acknowledge(30);
    expect(lost.takeHeldAnswer()).toBe(true);
    expect(drain(lost)).toEqual([30, 40, 50, 60]);
    // A new init forgets it too.
    const again = transfer(50);
    again.acknowledge(30);
    again.awaitInit();
    expect(again.takeHeldAnswer()).toBe(false);
  });
});
