/** Writes definitions/schema.json from the zod model; the definition tests fail when it is out of date. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { definitionJsonSchema } from '../dsl/json-schema';

const target = path.join(__dirname, '..', 'definitions', 'schema.json');
writeFileSync(target, JSON.stringify(definitionJsonSchema(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), target)}`);
