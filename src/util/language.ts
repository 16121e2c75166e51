import { withLanguage, type Language } from '../i18n.js';

/**
 * Runs `produce` with messages in `lang`, for text that must not depend on the process's locale
 * (journal payloads the county reads). Safe because message formatting is synchronous.
 */
export function inLanguage<T>(lang: Language, produce: () => T): T {
  return withLanguage(lang, produce);
}
