import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * JSON Schema of the configuration file for editors (yaml-language-server reads the modeline at
 * the top of the example file). Generated from the zod schema, so it cannot say anything else;
 * config/room-agent.schema.json is this text, and a test keeps the committed copy equal.
 */
export function configJsonSchemaText(): string {
  // 'input': keys with defaults are optional in the file.
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
