/**
 * vitest's asymmetric matchers, typed `unknown` instead of the `any` vitest declares: placed in an
 * expected object they would otherwise make the whole object `any` to the type checker (and to
 * the lint rules that keep `any` from spreading). They match exactly as vitest's own do.
 */
import { expect } from 'vitest';

export const stringContaining = (text: string): unknown => expect.stringContaining(text);
export const stringMatching = (pattern: string | RegExp): unknown => expect.stringMatching(pattern);
export const objectContaining = (fields: object): unknown => expect.objectContaining(fields);
export const arrayContaining = (items: unknown[]): unknown => expect.arrayContaining(items);
/** Any value of the type, e.g. ofType(Number): vitest's expect.any. */
export const ofType = (type: abstract new (...args: never[]) => unknown): unknown => expect.any(type);
export const anything = (): unknown => expect.anything();
