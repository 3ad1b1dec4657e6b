/**
 * Atlassian Document Format for issue descriptions. Jira's v3 API accepts only ADF documents (a plain string
 * is rejected), so the form answers a person would have pasted as a table become an ADF table of
 * label/value rows: the label in a header cell, the answer in a normal cell, one paragraph per answer line.
 */
import { z } from 'zod';

export const FormAnswerSchema = z.object({
  label: z.string().min(1),
  value: z.string(),
});
export type FormAnswer = z.infer<typeof FormAnswerSchema>;

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
}

export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

/** A paragraph; ADF forbids empty text nodes, so an empty line is an empty paragraph. */
function paragraph(text: string): AdfNode {
  return text === '' ? { type: 'paragraph' } : { type: 'paragraph', content: [{ type: 'text', text }] };
}

function cell(type: 'tableHeader' | 'tableCell', text: string): AdfNode {
  return { type, attrs: {}, content: text.split(/\r?\n/).map(paragraph) };
}

/** Renders an optional introduction followed by the answers as a two-column table. */
export function formAnswersDocument(answers: readonly FormAnswer[], intro?: string): AdfDocument {
  const content: AdfNode[] = intro ? intro.split(/\r?\n\r?\n/).map((block) => paragraph(block.trim())) : [];
  content.push({
    type: 'table',
    attrs: { isNumberColumnEnabled: false, layout: 'default' },
    content: answers.map((answer) => ({ type: 'tableRow', content: [cell('tableHeader', answer.label), cell('tableCell', answer.value)] })),
  });
  return { type: 'doc', version: 1, content };
}

/** Back to label/value pairs: how tests and the fake read a description table. */
export function answersFromDocument(doc: AdfDocument): FormAnswer[] {
  const textOf = (node: AdfNode): string =>
    node.type === 'paragraph' ? (node.content ?? []).map((n) => n.text ?? '').join('') : (node.content ?? []).map(textOf).join('\n');
  const table = doc.content.find((node) => node.type === 'table');
  return (table?.content ?? []).map((row) => {
    const [label, value] = row.content ?? [];
    return { label: label ? textOf(label) : '', value: value ? textOf(value) : '' };
  });
}
