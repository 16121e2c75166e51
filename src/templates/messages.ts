import { defineMessages } from '../i18n.js';

/** Backup, restore and wipe messages a technician reads in the CLI. */
export const templatesText = defineMessages({
  nothing: {
    zh: '没有可恢复的指纹模板备份（{source}）',
    en: 'there are no template backups to restore ({source})',
  },
  otherFamily: {
    zh: '备份的模板来自 {backupFamily} 模块，但当前模块是 {moduleFamily}：模板只能恢复到同类模块',
    en: 'the backed-up templates come from a {backupFamily} module but this module is {moduleFamily}: templates restore only onto a module of the same family',
  },
  otherSize: {
    zh: '备份的模板为 {backupSize} 字节，但当前模块的模板为 {moduleSize} 字节：这是另一种型号，无法恢复',
    en: 'the backed-up templates are {backupSize} bytes but this module’s are {moduleSize} bytes: it is another model and cannot take them',
  },
  refusedTemplate: {
    zh: '模块拒收了 {backupSize} 字节的模板（{reason}）：这很可能是另一种型号，无法恢复；请使用与原模块同型号的模块',
    en: 'the module refused a template of {backupSize} bytes ({reason}): it is most likely another model; use a module of the original model',
  },
  slotBeyond: {
    zh: '备份使用了槽位 {slot}，但当前模块只有 {capacity} 个槽位',
    en: 'the backup uses slot {slot} but this module has only {capacity} slots',
  },
  notEmpty: {
    zh: '模块中已有 {count} 个模板：恢复只写入空模块。请先运行 room-agent scanner wipe --operator 姓名 --yes（备份会保留）',
    en: 'the module is not empty (templates: {count}); restore writes only into an empty module. Run room-agent scanner wipe --operator NAME --yes first (the backups are kept)',
  },
  interrupted: {
    zh: '恢复在槽位 {slot} 中断（{reason}）；已写入 {written}/{total} 个。请运行 room-agent scanner wipe 后重新恢复',
    en: 'the restore stopped at slot {slot} ({reason}) after {written} of {total} templates; run room-agent scanner wipe, then restore again',
  },
  mismatch: {
    zh: '恢复后模块中有 {found} 个模板，应为 {expected} 个（缺少 {missing}，多出 {extra}）；请运行 room-agent scanner wipe 后重新恢复',
    en: 'after the restore the module holds a different set of templates than written ({found} instead of {expected}; missing slots {missing}, extra slots {extra}); run room-agent scanner wipe, then restore again',
  },
  wipeLeft: {
    zh: '清空后模块中仍有 {count} 个模板；请重试',
    en: 'the module is still not empty after emptying it (templates: {count}); try again',
  },
});
