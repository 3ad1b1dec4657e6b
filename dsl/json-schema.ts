/** The published JSON Schema of definitions, derived from the zod model (never written by hand). */
import { z } from 'zod';
import { Definition } from './model';

export function definitionJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(Definition, { unrepresentable: 'any' }),
    $id: 'definitions/schema.json',
    title: 'Process definition',
    description: 'A business process run as a durable Temporal workflow. Editors: add `# yaml-language-server: $schema=./schema.json` as the first line.',
  };
}
