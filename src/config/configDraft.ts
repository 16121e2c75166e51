import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isScalar, isSeq, parseDocument, stringify } from 'yaml';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { withEnvironment } from './compose.js';
import { ConfigError } from './configError.js';
import { parseLayer, validateInput } from './layerFile.js';
import { CONFIG_VERSION, type Config } from './schema.js';
import { readOptionalText } from './yamlSource.js';

export type DraftPath = readonly (string | number)[];

/** Readable by root and the service's group only: camera URLs carry the cameras' passwords. */
export const CONFIG_FILE_MODE = 0o640;

/**
 * The main configuration file being edited by a technician's answers, keeping everything the
 * answers do not touch byte for byte: a value already in the file is replaced where it stands (so
 * one changed answer is one changed line, its comment kept); only a key the file lacks goes through
 * the YAML document, which then writes the file out again in its own layout. Checked by exactly
 * what `config check` runs, and written only when something changed.
 */
export class ConfigDraft {
  private constructor(
    readonly file: string,
    private readonly original: string | undefined,
    private current: string,
  ) {}

  /** The file as it is, or a new one holding only the format version. A file that does not parse throws its ConfigError. */
  static open(file: string): ConfigDraft {
    const text = readOptionalText(file);
    const draft = new ConfigDraft(file, text, text ?? `version: ${CONFIG_VERSION}\n`);
    parseLayer(file, draft.current);
    return draft;
  }

  get text(): string {
    return this.current;
  }

  get changed(): boolean {
    return this.current !== this.original;
  }

  /** The value at `path` as text, or undefined when the file has none there (or a section, not a value). */
  value(path: DraftPath): string | undefined {
    const node: unknown = parseDocument(this.current).getIn(path, true);
    if (!isScalar(node)) return undefined;
    const value = node.value;
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;
  }

  /** How many entries the list at `path` has (0 when there is none). */
  length(path: DraftPath): number {
    const value: unknown = parseDocument(this.current).getIn(path);
    return isSeq(value) ? value.items.length : 0;
  }

  /** Back to an earlier text of this draft (an answer the schema refused). */
  restore(text: string): void {
    this.current = text;
  }

  /** Sets (or, with undefined, removes) one value; nothing happens when the file already says so. */
  set(path: DraftPath, value: string | number | boolean | undefined): void {
    const document = parseDocument(this.current);
    const node: unknown = document.getIn(path, true);
    if (value === undefined) {
      if (node === undefined) return;
      document.deleteIn(path);
      this.current = document.toString();
      return;
    }
    if (isScalar(node) && node.value === value) return;
    if (isScalar(node) && node.range != null) {
      const [start, end] = node.range;
      this.current = `${this.current.slice(0, start)}${stringify(value).trimEnd()}${this.current.slice(end)}`;
      return;
    }
    document.setIn(path, value);
    this.current = document.toString();
  }

  /** Appends an entry to a list (a new camera), creating the list when the file has none. */
  append(path: DraftPath, entry: Record<string, unknown>): void {
    const document = parseDocument(this.current);
    if (document.getIn(path) == null) document.setIn(path, [entry]);
    else document.addIn(path, entry);
    this.current = document.toString();
  }

  /**
   * The configuration as `config check` would see it with `password` in the environment
   * (ROOM_AGENT_COUNTY_PASSWORD, from the secrets file), or its problem lines.
   */
  check(password: string | undefined): { ok: true; config: Config } | { ok: false; problems: string[] } {
    let layer;
    try {
      layer = parseLayer(this.file, this.current);
    } catch (error) {
      if (error instanceof ConfigError) return { ok: false, problems: [...error.problems] };
      throw error;
    }
    const env: NodeJS.ProcessEnv = { ...process.env, ROOM_AGENT_COUNTY_PASSWORD: password ?? '' };
    return validateInput(withEnvironment(layer.data, env, undefined), layer.source);
  }

  /**
   * Writes the file atomically (temp file, fsync, rename, directory fsync) when it changed, and
   * leaves it root's and readable by the service's group either way. Returns whether it wrote.
   */
  save(gid: number): boolean {
    const write = this.changed;
    if (write) {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o755 });
      writeFileAtomic(this.file, this.current, CONFIG_FILE_MODE);
    }
    chownSync(this.file, 0, gid);
    chmodSync(this.file, CONFIG_FILE_MODE);
    return write;
  }
}
