import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/jsonSchema.js';
import { writeFileAtomic } from '../src/util/atomicWrite.js';

/**
 * Regenerates config/room-agent.schema.json after a schema change: `npm run gen-config-schema`.
 * test/config/checkCommand.test.ts (`room-agent config schema`) fails while the committed file
 * differs from what the schema generates. Compiled by scripts/tsconfig.json into build-scripts/,
 * one folder below the repository like dist/ was, so the path below still reaches config/.
 */
const target = fileURLToPath(new URL('../../config/room-agent.schema.json', import.meta.url));
writeFileAtomic(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
