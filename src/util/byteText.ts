import { defineMessages } from '../i18n.js';

const t = defineMessages({
  unmeasured: { zh: '未知', en: 'unknown' },
});

/** A size as an operator reads it (B, KiB, MiB, GiB); null is a size that could not be measured. */
export function byteText(value: number | null): string {
  if (value === null) return t('unmeasured');
  if (value >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(1)} GiB`;
  if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return value >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${value} B`;
}
