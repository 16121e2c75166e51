import { readFileSync } from 'node:fs';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { ErrorCode } from '../errors.js';
import { ConfigError } from './configError.js';
import { describeErrno, problemText } from './messages.js';
import { maskSecrets } from '../util/mask.js';
import type { KeyPath } from '../util/zodIssues.js';

/** A parsed YAML configuration file, kept as a document so migrations preserve its comments. */
export interface YamlSource {
  file: string;
  text: string;
  document: Document;
  /** 1-based line of the deepest key of `path` present in the file; 0 for the top level. */
  readonly lineOf: (path: KeyPath) => number;
}

/** Reads a file as text; every failure becomes one problem line naming the file and the errno. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error as NodeJS.ErrnoException);
  }
}

/** Like readConfigText, but a missing file is simply absent (the override files are optional). */
export function readOptionalText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(file, error as NodeJS.ErrnoException);
  }
}

function unreadable(file: string, error: NodeJS.ErrnoException): ConfigError {
  const reason = describeErrno(error);
  return new ConfigError(ErrorCode.ConfigUnreadable, [problemText('unreadable', { file, reason })], { file });
}

/**
 * Parses YAML 1.2. A file with syntax errors is not validated at all: a half-parsed document
 * yields misleading key problems, so only the syntax errors are reported, each with line:column.
 * Some of the parser's messages quote the text they stumbled on, which may be a camera URL: masked.
 */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const problem = (offset: number, reason: string): string => {
    const position = lineCounter.linePos(offset);
    return problemText('yamlSyntax', { file, line: position.line, column: position.col, reason: maskSecrets(reason) });
  };
  const problems = document.errors.map((error) =>
    problem(error.pos[0], error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')),
  );
  // An unquoted value starting with "*" is an alias: one without its anchor would throw when read.
  visit(document, {
    Alias(_key, alias) {
      if (alias.resolve(document) === undefined)
        problems.push(problem(alias.range?.[0] ?? 0, problemText('yamlAlias', { name: alias.source })));
    },
  });
  if (problems.length > 0) throw new ConfigError(ErrorCode.ConfigSyntax, problems, { file });
  return { file, text, document, lineOf: (path) => lineOfKey(document, lineCounter, path) };
}

function lineOfKey(document: Document, lineCounter: LineCounter, path: KeyPath): number {
  let node: unknown = document.contents;
  let offset: number | undefined;
  for (const segment of path) {
    let keyNode: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      keyNode = pair?.key;
      node = pair?.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      keyNode = node = node.items[segment];
    }
    if (!isNode(keyNode) || keyNode.range == null) break;
    offset = keyNode.range[0];
  }
  return offset === undefined ? 0 : lineCounter.linePos(offset).line;
}
