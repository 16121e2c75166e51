import { dirname, join, normalize } from 'node:path/posix';

/**
 * What a comment must not do: cite a document or a section the repository does not hold, name a
 * path on somebody's machine, or speak of the project's own tracker instead of the code.
 * Upstream bug reports that a workaround answers (a URL, or a project's name before the number)
 * stay welcome. The unit cases in comments.test.ts show each form.
 */
export interface CommentContext {
  /** The commented file, relative to the repository root, with forward slashes. */
  readonly file: string;
  /** Whether a path relative to the repository root names a file of the repository. */
  readonly exists: (path: string) => boolean;
  /** The headings and run-in paragraph titles of a Markdown file of the repository. */
  readonly sectionsOf: (path: string) => readonly string[];
}

export interface CommentProblem {
  readonly rule: 'missing-document' | 'missing-section' | 'machine-path' | 'work-item';
  readonly found: string;
}

const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)>\]'"`]+/gi;
const MARKDOWN_PATH = /(?<![\w./-])(?:\/|(?:\.{1,2}\/)*)(?:[\w.-]+\/)*[\w.-]+\.md\b/g;
/** A README (the root one, or one named by its path) followed by a section name in double quotes. */
const SECTION_CITATION = /(?<![\w./-])((?:[\w.-]+\/)*README(?:\.md)?)\s+"([^"\n]+)"/g;

const REST_OF_PATH = String.raw`[^\s'"\`),;]*`;
/** Home folders, other people's checkouts, and the scratch folders of the machine the code was written on. */
const MACHINE_PATHS: readonly RegExp[] = [
  String.raw`(?<![\w.-])/(?:work|home|Users|root|mnt|tmp)/[\w.-]`,
  String.raw`(?<![\w.-])~/[\w.-]`,
  String.raw`\b[A-Z]:\\[\w.-]`,
].map((start) => new RegExp(start + REST_OF_PATH));

/** Words that make a numbered reference this project's rather than an upstream project's. */
const NOT_A_PROJECT = new Set(
  'a an the this that these those our my your their its his her see per in of for from by to and or as on at with after before later earlier next previous same separate own other another each every item task part step ticket phase milestone story'.split(
    ' ',
  ),
);

const WORK_ITEMS: readonly RegExp[] = [
  /\b(?:the|a|an|this|that|their|its|our|my|your|one|another|some|any)\s+(?:[\w-]+\s+){0,2}?issue\b(?!s)/i,
  /\b(?:later|earlier|future|previous|next|other|separate|upcoming|follow-up)\s+(?:issues|tickets|tasks|work items)\b/i,
  /\bwork\s+items?\b/i,
  /\b(?:later|future|follow-up)\s+(?:work|task|pr|change)\b/i,
  /\b(?:part|item|task|phase|milestone|step)\s+#?\d+\s+of\s+the\s+(?:issue|task|brief|plan)\b/i,
  /\bthe\s+(?:brief|task\s+description|issue\s+text)\b/i,
];

export function commentProblems(comment: string, context: CommentContext): CommentProblem[] {
  const problems: CommentProblem[] = [];
  const withoutUrls = comment.replace(URL, ' ');
  for (const match of withoutUrls.matchAll(MARKDOWN_PATH)) {
    const cited = match[0];
    if (!candidates(context.file, cited).some((path) => context.exists(path))) {
      problems.push({ rule: 'missing-document', found: cited });
    }
  }
  for (const match of withoutUrls.matchAll(SECTION_CITATION)) {
    // A bare README is the repository's own, even beside another README.
    const cited = match[1]!;
    const document = cited.endsWith('.md') ? cited : `${cited}.md`;
    const section = match[2]!;
    const places = cited === 'README' ? [document] : candidates(context.file, document);
    const path = places.find((candidate) => context.exists(candidate));
    if (path !== undefined && !context.sectionsOf(path).includes(section)) {
      problems.push({ rule: 'missing-section', found: `${document} "${section}"` });
    }
  }
  for (const pattern of MACHINE_PATHS) {
    const match = pattern.exec(withoutUrls);
    if (match !== null) problems.push({ rule: 'machine-path', found: match[0] });
  }
  // zod calls the problems a parse reports "issues": a comment about them is not about work items.
  const aboutZod = /\bzod\b|ZodIssue/i.test(withoutUrls);
  for (const pattern of aboutZod ? [] : WORK_ITEMS) {
    const match = pattern.exec(withoutUrls);
    if (match !== null) problems.push({ rule: 'work-item', found: match[0] });
  }
  problems.push(...numberedIssues(withoutUrls));
  return problems;
}

/** Issue numbers, with or without the word: this project's unless a project's name precedes them. */
function numberedIssues(text: string): CommentProblem[] {
  const problems: CommentProblem[] = [];
  for (const match of text.matchAll(/(?:\bissues?\s*#?|#)\d+\b/gi)) {
    const before = text.slice(0, match.index);
    // systemd#18142, tailscale#1063: the project's name glued to the number.
    const glued = /[\w.-]$/.test(before);
    const word = /([\w.-]+)\s+$/.exec(before)?.[1];
    const named = word !== undefined && /[a-z]/i.test(word) && !NOT_A_PROJECT.has(word.toLowerCase());
    if (!glued && !named) problems.push({ rule: 'work-item', found: match[0] });
  }
  return problems;
}

/** A cited path, read relative to the commenting file and to the repository root. */
function candidates(file: string, cited: string): string[] {
  return [normalize(join(dirname(file), cited)), normalize(cited)].filter((path) => !path.startsWith('..'));
}

/** `## Heading` lines and `**Run-in title.**` paragraph openings, as a reader would cite them. */
export function markdownSections(markdown: string): string[] {
  const sections: string[] = [];
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading !== null) sections.push(heading[1]!);
    const runIn = /^\*\*([^*]+?)[.:]?\*\*/.exec(line);
    if (runIn !== null) sections.push(runIn[1]!);
  }
  return sections;
}
