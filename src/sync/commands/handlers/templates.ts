import { z } from 'zod';
import { fingerNameSchema, memberIdSchema, moduleFamilySchema } from '../../../members/schema.js';
import { sealTemplate } from '../../../templates/backupCipher.js';
import type { FingerBackup } from '../../../templates/backupRows.js';
import { defineCommand } from '../definition.js';
import { commandText } from '../messages.js';
import { centerOperatorSchema } from './operator.js';

/** A template in base64: R30x and GT-521F templates are well under 3 KB. */
const templateBase64 = z
  .string()
  .min(4)
  .max(4096)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

const templateEntrySchema = z.strictObject({
  memberId: memberIdSchema,
  finger: fingerNameSchema,
  /** The slot the escrow header names: the restore writes each template back where it was. */
  slot: z.number().int().min(0).max(65_535),
  moduleFamily: moduleFamilySchema,
  template: templateBase64,
});

type TemplateEntry = z.infer<typeof templateEntrySchema>;

const templateListSchema = z
  .array(templateEntrySchema)
  .min(1)
  .max(1000)
  .superRefine((entries, context) => {
    const slots = new Set<number>();
    const fingers = new Set<string>();
    entries.forEach(({ slot, memberId, finger }, index) => {
      if (slots.has(slot))
        context.addIssue({ code: 'custom', path: [index, 'slot'], message: commandText('duplicateSlot', { slot }) });
      if (fingers.has(`${memberId}\0${finger}`))
        context.addIssue({
          code: 'custom',
          path: [index, 'finger'],
          message: commandText('duplicateFinger', { memberId, finger }),
        });
      slots.add(slot);
      fingers.add(`${memberId}\0${finger}`);
    });
  });

/**
 * templates.restore {templates: [{memberId, finger, slot, moduleFamily, template}], operator?}:
 * escrowed templates back onto a compatible module (a replacement, or a new device). An escrow
 * envelope is sealed to the county's X25519 key and only the center can open it, so the center
 * sends the opened templates (base64, over the TLS link, in a signed command); they are sealed
 * under this device's template key at once and go through the existing restore path
 * (templates/restore.ts): same family and size as the module, into an empty module only, at their
 * slots, members on the roster, journaled `scanner.restored` with source `center`. A command
 * holds at most 256 KB: about 330 GT-521F templates (498 bytes), 140–300 R30x ones (1536–768).
 */
export const templatesRestore = defineCommand({
  type: 'templates.restore',
  mode: 'task',
  params: z.strictObject({ templates: templateListSchema, operator: centerOperatorSchema }),
  run: async ({ templates, operator }, { deps }) => {
    const key = deps.templates.templateKey();
    return deps.templates.restore.restore(
      { kind: 'center', backups: templates.map((entry) => sealed(key, entry)) },
      operator,
    );
  },
});

function sealed(key: Buffer, { template, ...finger }: TemplateEntry): FingerBackup {
  const bytes = Buffer.from(template, 'base64');
  const context = { slot: finger.slot, moduleFamily: finger.moduleFamily, templateSize: bytes.length };
  const backup = { ...finger, templateSize: bytes.length, enrolledSeq: 0, sealed: sealTemplate(key, bytes, context) };
  bytes.fill(0);
  return backup;
}
