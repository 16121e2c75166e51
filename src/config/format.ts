import type { z } from 'zod';
import { isSecretPath } from './compose.js';
import { problemText } from './messages.js';
import { configSchema } from './schema.js';
import { keysAt } from './schemaKeys.js';
import { closestKey } from './suggest.js';
import { issueText, typeName } from '../util/issueMessages.js';
import { maskUrl } from '../util/mask.js';
import {
  describeFound,
  describeIssues,
  formatKeyPath,
  renderValue,
  type KeyPath,
  type Problem,
} from '../util/zodIssues.js';

/**
 * The configuration's problem lines: the shared wording of input problems, with secrets hidden and
 * a misspelt key answered with the key it probably meant.
 */
export function describeConfigIssues(issues: readonly z.core.$ZodIssue[], input: unknown): Problem[] {
  return describeIssues(issues, input, { isSecret: isSecretPath, unknownKey: unknownKeyText });
}

/** An unknown key is whatever the file holds there, a URL pasted one line too high included: masked. */
function unknownKeyText(path: KeyPath): string {
  const key = String(path[path.length - 1]);
  const suggestion = closestKey(key, keysAt(configSchema, path.slice(0, -1)));
  const formatted = formatKeyPath([...path.slice(0, -1), maskUrl(key)]);
  return suggestion === undefined
    ? issueText('unknownKey', { path: formatted })
    : problemText('unknownKeySuggestion', { path: formatted, suggestion });
}

/** The problem for a file whose top level is not a mapping of sections. */
export function topLevelProblem(value: unknown): Problem {
  const found = describeFound(value, renderValue(value));
  return {
    path: [],
    text: issueText('wrongType', { path: typeName('topLevel'), expected: typeName('object'), found }),
  };
}

/**
 * Orders problems as their keys appear in the file; a missing key sorts with the nearest
 * section that is there. Stable, so problems on one key keep zod's order.
 */
export function inFileOrder(problems: readonly Problem[], lineOf: (path: KeyPath) => number): string[] {
  return problems
    .map((problem, index) => ({ problem, index, line: lineOf(problem.path) }))
    .sort((a, b) => a.line - b.line || a.index - b.index)
    .map(({ problem }) => problem.text);
}
