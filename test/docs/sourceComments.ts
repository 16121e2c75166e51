import ts from 'typescript';

/** One comment of a source file: where it starts and its text, markers included. */
export interface SourceComment {
  readonly line: number;
  readonly text: string;
}

export type CommentSyntax = 'typescript' | 'python' | 'hash';

const TYPESCRIPT = /\.(?:ts|mts|cts|tsx|js|mjs|cjs)$/;
const PYTHON = /\.py$/;
/** Shell scripts and the configuration files whose comments start with #. */
const HASH = /(?:\.sh|\.bash|\.rules|\.service|\.ya?ml|\.conf\.example|\.acl\.example)$/;

/** How comments are written in this file; undefined for files that are not source. */
export function commentSyntaxOf(path: string, firstLine: string): CommentSyntax | undefined {
  if (TYPESCRIPT.test(path)) return 'typescript';
  if (PYTHON.test(path)) return 'python';
  if (HASH.test(path) || /^#!.*\b(?:ba|da)?sh\b/.test(firstLine)) return 'hash';
  return undefined;
}

export function extractComments(path: string, text: string): SourceComment[] {
  switch (commentSyntaxOf(path, text.slice(0, text.indexOf('\n') + 1 || undefined))) {
    case 'typescript':
      return typescriptComments(path, text);
    case 'python':
      return pythonComments(text);
    case 'hash':
      return hashComments(text);
    case undefined:
      return [];
  }
}

/**
 * Comments outside every literal the TypeScript parser finds, so that `//` inside a string, a
 * template or a regular expression is never taken for one. SQL comments (`-- …`) inside string
 * and template literals count too, since migrations explain themselves there.
 */
function typescriptComments(path: string, text: string): SourceComment[] {
  const kind = /\.(?:js|mjs|cjs)$/.test(path) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind);
  const literals: [start: number, end: number][] = [];
  const visit = (node: ts.Node): void => {
    if (isLiteralToken(node)) literals.push([node.getStart(source), node.end]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  literals.sort(([a], [b]) => a - b);

  const comments: { position: number; text: string }[] = [];
  let next = 0;
  for (let index = 0; index < text.length; index += 1) {
    while (next < literals.length && literals[next]![1] <= index) next += 1;
    const literal = literals[next];
    if (literal !== undefined && literal[0] <= index) {
      comments.push(...sqlComments(text, literal[0], literal[1]));
      index = literal[1] - 1;
    } else if (text.startsWith('//', index)) {
      const end = endOfLine(text, index);
      comments.push({ position: index, text: text.slice(index, end) });
      index = end;
    } else if (text.startsWith('/*', index)) {
      const close = text.indexOf('*/', index + 2);
      const end = close < 0 ? text.length : close + 2;
      comments.push({ position: index, text: text.slice(index, end) });
      index = end - 1;
    }
  }
  return comments.map(({ position, text: comment }) => ({
    line: source.getLineAndCharacterOfPosition(position).line + 1,
    text: comment,
  }));
}

function isLiteralToken(node: ts.Node): boolean {
  return (
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isTemplateHead(node) ||
    ts.isTemplateMiddle(node) ||
    ts.isTemplateTail(node) ||
    ts.isRegularExpressionLiteral(node)
  );
}

function sqlComments(text: string, start: number, end: number): { position: number; text: string }[] {
  const found: { position: number; text: string }[] = [];
  for (const match of text.slice(start, end).matchAll(/^[ \t]*(--\s.*)$/gm)) {
    found.push({ position: start + match.index + match[0].indexOf('--'), text: match[1]! });
  }
  return found;
}

/** `#` comments and triple-quoted strings (docstrings), skipping the inside of other strings. */
function pythonComments(text: string): SourceComment[] {
  const comments: SourceComment[] = [];
  let line = 1;
  let index = 0;
  const advance = (to: number): void => {
    for (; index < to; index += 1) if (text[index] === '\n') line += 1;
  };
  while (index < text.length) {
    const char = text[index]!;
    if (char === '#') {
      const end = endOfLine(text, index);
      comments.push({ line, text: text.slice(index, end) });
      advance(end);
    } else if (char === '"' || char === "'") {
      const triple = text.startsWith(char.repeat(3), index);
      const startLine = line;
      const end = triple ? closingTriple(text, index, char) : closingQuote(text, index, char);
      if (triple) comments.push({ line: startLine, text: text.slice(index, end) });
      advance(end);
    } else {
      advance(index + 1);
    }
  }
  return comments;
}

function closingTriple(text: string, start: number, quote: string): number {
  const delimiter = quote.repeat(3);
  for (let index = start + 3; index < text.length; index += 1) {
    if (text[index] === '\\') index += 1;
    else if (text.startsWith(delimiter, index)) return index + 3;
  }
  return text.length;
}

function closingQuote(text: string, start: number, quote: string): number {
  for (let index = start + 1; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\\') index += 1;
    else if (char === quote || char === '\n') return index + 1;
  }
  return text.length;
}

/** Shell-style comments: `#` at the start of a line or after blanks, outside quotes. */
function hashComments(text: string): SourceComment[] {
  const comments: SourceComment[] = [];
  text.split('\n').forEach((content, index) => {
    let quote: string | undefined;
    for (let column = 0; column < content.length; column += 1) {
      const char = content[column]!;
      if (quote !== undefined) {
        if (char === '\\' && quote === '"') column += 1;
        else if (char === quote) quote = undefined;
      } else if (char === '\\') {
        column += 1;
      } else if (char === '"' || char === "'") {
        quote = char;
      } else if (char === '#' && (column === 0 || /\s/.test(content[column - 1]!))) {
        comments.push({ line: index + 1, text: content.slice(column) });
        return;
      }
    }
  });
  return comments;
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}
