/** Rewrites the README's settings reference from settings/schema.ts; tests/settings.test.ts fails when it is out of date. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withSettingsReference } from '../settings/describe';

const readme = path.join(__dirname, '..', 'README.md');
writeFileSync(readme, withSettingsReference(readFileSync(readme, 'utf8')));
console.log('wrote the settings reference in README.md');
