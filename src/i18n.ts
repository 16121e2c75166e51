/**
 * Technicians and branch secretaries read Chinese; English is available. The language comes from
 * `--lang`, then ROOM_AGENT_LANG, then LC_ALL/LANG (an `en*` locale selects English); Chinese
 * otherwise. Key paths, seq numbers and values stay as they are in both languages so that a
 * technician can paste them into a ticket.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type Language = 'zh' | 'en';

export type MessageCatalog<K extends string> = Record<K, Record<Language, string>>;

let current: Language | undefined;
/**
 * A language for one piece of work, over the process's own: the daemon answers each control
 * request in the language of the CLI that asked, which need not be the daemon's locale.
 */
const scoped = new AsyncLocalStorage<Language>();

export function detectLanguage(env: NodeJS.ProcessEnv = process.env): Language {
  const explicit = env.ROOM_AGENT_LANG?.toLowerCase();
  if (explicit === 'en' || explicit === 'zh') return explicit;
  const locale = (env.LC_ALL || env.LC_MESSAGES || env.LANG || '').toLowerCase();
  return locale.startsWith('en') ? 'en' : 'zh';
}

export function setLanguage(language: Language): void {
  current = language;
}

export function language(): Language {
  const inScope = scoped.getStore();
  if (inScope !== undefined) return inScope;
  current ??= detectLanguage();
  return current;
}

/** Runs `work` (and what it awaits) with messages in `lang`, leaving the process's language alone. */
export function withLanguage<T>(lang: Language, work: () => T): T {
  return scoped.run(lang, work);
}

/** Defines a module's messages; `{name}` placeholders are filled from the params object. */
export function defineMessages<K extends string>(catalog: MessageCatalog<K>) {
  return (key: K, params: Readonly<Record<string, string | number | bigint>> = {}): string => {
    const template = catalog[key][language()];
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}
