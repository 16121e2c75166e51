import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/jsonSchema.js';
import { writeFileAtomic } from '../src/util/atomicWrite.js';

/**
 * Regenerates config/room-agent.schema.json after a schema change:
 * `npm run build && node dist/scripts/gen-config-schema.js`. test/config/checkCommand.test.ts
 * (`room-agent config schema`) fails while the committed file differs from what the schema generates.
 */
const target = fileURLToPath(new URL('../../config/room-agent.schema.json', import.meta.url));
writeFileAtomic(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
