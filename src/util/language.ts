import { language, setLanguage, type Language } from '../i18n.js';

/**
 * Runs `produce` with messages in `lang`, for text that must not depend on the process's locale
 * (journal payloads the county reads). Safe because message formatting is synchronous.
 */
export function inLanguage<T>(lang: Language, produce: () => T): T {
  const previous = language();
  setLanguage(lang);
  try {
    return produce();
  } finally {
    setLanguage(previous);
  }
}
