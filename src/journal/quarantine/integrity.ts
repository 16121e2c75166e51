import type { Db } from '../../store/database.js';
import { quoted } from './salvage.js';
import { classifyStorageFault } from '../../store/sqliteFault.js';

/** What SQLite's own check found: its lines, and the tables and indexes they name. */
export interface IntegrityReport {
  ok: boolean;
  /** SQLite's lines, at most MAX_PROBLEMS (English, as SQLite words them). */
  problems: string[];
  /** The damaged tables and indexes, e.g. `index sqlite_autoindex_events_1 (table events)`. */
  damaged: string[];
}

const MAX_PROBLEMS = 20;

interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
  rootpage: number;
}

/**
 * `PRAGMA quick_check` (b-tree structure: cheap enough for every start) or `integrity_check`
 * (also that every index agrees with its table: for `journal verify`). A check that cannot even
 * run because a page it needs is damaged reports that as its one problem.
 */
export function checkIntegrity(db: Db, depth: 'quick' | 'full'): IntegrityReport {
  let lines: string[];
  try {
    const pragma = depth === 'quick' ? 'quick_check' : 'integrity_check';
    lines = (db.pragma(`${pragma}(${MAX_PROBLEMS})`) as Array<Record<string, string>>).map(
      (row) => Object.values(row)[0] ?? '',
    );
  } catch (error) {
    if (classifyStorageFault(error) !== 'corrupt') throw error;
    return { ok: false, problems: [(error as Error).message], damaged: unreadableObjects(db) };
  }
  if (lines.length === 1 && lines[0] === 'ok') return { ok: true, problems: [], damaged: [] };
  const problems = lines.flatMap((line) => line.split('\n')).filter((line) => line !== '' && !line.startsWith('***'));
  const named = damagedObjects(db, problems);
  return { ok: false, problems, damaged: named.length > 0 ? named : unreadableObjects(db) };
}

/**
 * When the check itself stops at a damaged page it names nothing: then every table is counted
 * by a scan of its own b-tree, and every index by a scan of the index, and those SQLite refuses
 * are the damaged ones. (A partial index cannot be scanned alone; SQLite says so, and it is skipped.)
 */
function unreadableObjects(db: Db): string[] {
  const damaged: string[] = [];
  for (const object of schemaObjects(db)) {
    if (object.rootpage === 0 || (object.type !== 'table' && object.type !== 'index')) continue;
    try {
      db.prepare(scanOf(db, object)).get();
    } catch (error) {
      if (classifyStorageFault(error) === 'corrupt') damaged.push(describe(object));
    }
  }
  return damaged;
}

/** The objects SQLite's lines name, by name (`index X`, `table.column`) or by root page (`Tree N`). */
function damagedObjects(db: Db, problems: string[]): string[] {
  const objects = schemaObjects(db);
  const found = new Set<string>();
  for (const line of problems) {
    for (const match of line.matchAll(/\bTree (\d+)\b/g)) {
      const object = objects.find((candidate) => candidate.rootpage === Number(match[1]));
      found.add(object === undefined ? `b-tree at page ${match[1]}` : describe(object));
    }
    for (const match of line.matchAll(/\b(?:index|in) ([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const object = objects.find((candidate) => candidate.name === match[1]);
      if (object !== undefined) found.add(describe(object));
    }
  }
  return [...found];
}

function describe(object: SchemaObject): string {
  return object.type === 'index' ? `index ${object.name} (table ${object.tbl_name})` : `${object.type} ${object.name}`;
}

/**
 * A query that reads every entry of the object: a table through its own b-tree, an index through
 * itself, decoding its first column (counting rows alone would not read a damaged record).
 */
function scanOf(db: Db, object: SchemaObject): string {
  const table = quoted(object.tbl_name);
  if (object.type === 'table') return `SELECT count(*) FROM ${table} NOT INDEXED`;
  const first = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno LIMIT 1').get(object.name) as
    { name: string | null } | undefined;
  const counted = first?.name === null || first === undefined ? '*' : quoted(first.name);
  return `SELECT count(${counted}) FROM ${table} INDEXED BY ${quoted(object.name)}`;
}

/** The schema, or nothing when its own page is damaged too. */
function schemaObjects(db: Db): SchemaObject[] {
  try {
    return db.prepare('SELECT type, name, tbl_name, rootpage FROM sqlite_schema').all() as SchemaObject[];
  } catch (error) {
    if (classifyStorageFault(error) !== 'corrupt') throw error;
    return [];
  }
}
