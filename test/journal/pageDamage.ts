import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * Bit rot as an SD card produces it, on a journal file no process has open: bytes of one page
 * flipped in place. The page is found with SQLite's dbstat table (which b-tree, which page type),
 * so the damage lands exactly where a test means it to.
 */
export function pagesOf(file: string, btree: string, type: 'leaf' | 'internal' = 'leaf'): number[] {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db
        .prepare('SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno')
        .all(btree, type) as Array<{
        pageno: number;
      }>
    ).map((row) => row.pageno);
  } finally {
    db.close();
  }
}

/** Inverts `count` bytes at `offset` within page `page` (1-based, as SQLite numbers them). */
export function flipBytes(file: string, page: number, offset: number, count = 2): void {
  const probe = new Database(file, { readonly: true });
  const pageSize = probe.pragma('page_size', { simple: true }) as number;
  probe.close();
  const fd = openSync(file, 'r+');
  try {
    const bytes = Buffer.alloc(count);
    const position = (page - 1) * pageSize + offset;
    readSync(fd, bytes, 0, count, position);
    for (let i = 0; i < count; i++) bytes[i] = bytes[i]! ^ 0xff;
    writeSync(fd, bytes, 0, count, position);
  } finally {
    closeSync(fd);
  }
}

/**
 * Damages the b-tree page header of a leaf of `btree` (its type and first freeblock bytes):
 * SQLite then refuses the page (SQLITE_CORRUPT) whenever a read or write reaches it. `which`
 * picks the leaf: the middle one by default, so rows lie on both sides of the damage.
 */
export function damageLeaf(file: string, btree: string, which: 'middle' | 'first' = 'middle'): number {
  const leaves = pagesOf(file, btree);
  if (leaves.length === 0) throw new Error(`${btree} has no leaf page in ${file}`);
  const page = which === 'first' ? leaves[0]! : leaves[Math.floor(leaves.length / 2)]!;
  flipBytes(file, page, 0, 2);
  return page;
}

/**
 * Makes every record of the index `btree` undecodable (its record header claims more bytes than
 * the cell holds), leaving each page's structure intact: quick_check and the journal's own
 * verification pass, integrity_check fails, and the first insert into the index, which compares
 * its key with the records, fails with SQLITE_CORRUPT. Assumes one-byte payload sizes (short keys).
 */
export function damageIndexRecords(file: string, btree: string): void {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = (db.prepare('SELECT pageno FROM dbstat WHERE name = ?').all(btree) as Array<{ pageno: number }>).map(
    (row) => row.pageno,
  );
  db.close();
  const fd = openSync(file, 'r+');
  try {
    for (const pageno of pages) {
      const page = Buffer.alloc(pageSize);
      readSync(fd, page, 0, pageSize, (pageno - 1) * pageSize);
      const leaf = page[0] === 0x0a;
      const cellPointers = leaf ? 8 : 12;
      for (let cell = 0; cell < page.readUInt16BE(3); cell++) {
        // An interior cell starts with its 4-byte child pointer; then the payload size, then the record.
        const start = page.readUInt16BE(cellPointers + 2 * cell) + (leaf ? 0 : 4);
        page[start + 1] = 0x7f;
      }
      writeSync(fd, page, 0, pageSize, (pageno - 1) * pageSize);
    }
  } finally {
    closeSync(fd);
  }
}
