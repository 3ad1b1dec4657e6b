/**
 * What the form library (react-jsonschema-form) is told beyond the JSON Schema itself: which fields are
 * files (a string with `contentMediaType`), the words a checklist's items use, and the API's field errors
 * shown beside the fields they name.
 */
import type { ErrorSchema, UiSchema } from '@rjsf/utils';
import type { FieldError } from '../api';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; type?: unknown; contentMediaType?: unknown };

/** uiSchema for a form: the upload widget on file fields, titles for checklist items. */
export function uiSchemaFor(schema: Schema, itemLabels: Record<string, string> = {}): UiSchema {
  const walk = (node: Schema, depth: number): UiSchema => {
    const ui: UiSchema = {};
    if (node.type === 'string' && typeof node.contentMediaType === 'string') ui['ui:widget'] = 'upload';
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const inner = walk(child, depth + 1);
      if (depth === 0 && itemLabels[name]) {
        inner['ui:title'] = itemLabels[name];
        // A checklist item's fields, in the words of the checklist.
        inner.ok = { 'ui:title': 'Done' };
        inner.evidence = { 'ui:title': 'Evidence (a link or a note)' };
      }
      if (Object.keys(inner).length) ui[name] = inner;
    }
    return ui;
  };
  return walk(schema, 0);
}

/**
 * Moves focus to the first field the form library found at fault (its ids read `root_a_b` for `a.b` or `.a.b`),
 * once the errors are drawn, so keyboard and screen-reader users land where the fix is needed.
 */
export function focusFirstError(errors: { property?: string }[]): void {
  const property = errors.find((e) => e.property)?.property;
  if (!property) return;
  const id = ['root', ...property.split('.').filter(Boolean)].join('_');
  setTimeout(() => document.getElementById(id)?.focus());
}

/** The API's `body.form.a.b` (or `body.input.a.b`) errors, placed on field `a.b` of the form. */
export function fieldErrors(errors: FieldError[], prefix: 'body.form' | 'body.input'): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const error of errors) {
    if (!error.field.startsWith(`${prefix}.`)) continue;
    let node = root;
    for (const part of error.field.slice(prefix.length + 1).split('.')) node = (node[part] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(error.message);
  }
  return root as ErrorSchema;
}
