import { defineMessages } from '../i18n.js';

/**
 * The wording of one problem with external input (the configuration, a control request, an
 * activity plan). Key paths and values are inserted unchanged in both languages, so a technician
 * can paste a line into a ticket and grep for it.
 */
export const issueText = defineMessages({
  required: { zh: '{path}: 缺少必填项', en: '{path}: required' },
  wrongType: { zh: '{path}: 应为{expected}，实际为 {found}', en: '{path}: expected {expected}, found {found}' },
  notOneOf: { zh: '{path}: {value} 不是可选值之一：{values}', en: '{path}: {value} is not one of {values}' },
  belowMinimum: { zh: '{path}: {value} 小于最小值 {limit}', en: '{path}: {value} is below the minimum {limit}' },
  aboveMaximum: { zh: '{path}: {value} 大于最大值 {limit}', en: '{path}: {value} is above the maximum {limit}' },
  notAbove: { zh: '{path}: {value} 必须大于 {limit}', en: '{path}: {value} must be above {limit}' },
  notBelow: { zh: '{path}: {value} 必须小于 {limit}', en: '{path}: {value} must be below {limit}' },
  tooShort: {
    zh: '{path}: {value} 短于最小长度 {limit}',
    en: '{path}: {value} is shorter than the minimum length {limit}',
  },
  tooLong: {
    zh: '{path}: {value} 长于最大长度 {limit}',
    en: '{path}: {value} is longer than the maximum length {limit}',
  },
  tooFewItems: {
    zh: '{path}: 有 {count} 项，少于最少 {limit} 项',
    en: '{path}: {count} entries are fewer than the minimum {limit}',
  },
  tooManyItems: {
    zh: '{path}: 有 {count} 项，多于最多 {limit} 项',
    en: '{path}: {count} entries are more than the maximum {limit}',
  },
  notFormat: { zh: '{path}: {value} 不是{expected}', en: '{path}: {value} is not {expected}' },
  unknownKey: { zh: '{path}: 未知的键', en: '{path}: unknown key' },
  other: { zh: '{path}: {message}', en: '{path}: {message}' },
});

/** Names of the types zod expects, as the object of "expected …", and how odd values are shown. */
export const typeName = defineMessages({
  string: { zh: '字符串', en: 'a string' },
  number: { zh: '数字', en: 'a number' },
  int: { zh: '整数', en: 'a whole number' },
  boolean: { zh: 'true 或 false', en: 'true or false' },
  object: { zh: '映射（键: 值）', en: 'a mapping (key: value)' },
  array: { zh: '列表', en: 'a list' },
  emptyValue: { zh: '空值', en: 'an empty value' },
  hidden: { zh: '[已隐藏]', en: '[hidden]' },
  topLevel: { zh: '(顶层)', en: '(top level)' },
});
