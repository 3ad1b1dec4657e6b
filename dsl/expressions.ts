/**
 * Expressions inside definitions, in JSONata: a safe, side-effect-free language (never `eval`). Pure and
 * deterministic, so the interpreter workflow evaluates them; the compiler uses `expressionError` to reject
 * a bad one before anything runs.
 *
 * Where a definition gives a value (`with:`, `set:`), a string starting with `=` is an expression and
 * `{{ expr }}` inside a string is replaced by the expression's value; anything else is literal.
 */
import jsonata from 'jsonata';

export type Scope = Record<string, unknown>;

const compiled = new Map<string, jsonata.Expression>();

function compile(source: string): jsonata.Expression {
  let expression = compiled.get(source);
  if (!expression) {
    expression = jsonata(source);
    compiled.set(source, expression);
  }
  return expression;
}

/** The syntax error in an expression, with its character position, or undefined when it parses. */
export function expressionError(source: string): { message: string; position: number } | undefined {
  try {
    compile(source);
    return undefined;
  } catch (err) {
    const { message, position } = err as { message: string; position?: number };
    return { message, position: Math.max(0, (position ?? 1) - 1) };
  }
}

/** Evaluates an expression; JSONata's sequences come back as plain arrays. */
export async function evaluate(source: string, scope: Scope): Promise<unknown> {
  const value = await compile(source).evaluate(scope);
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** True when the expression's value is truthy the JSONata way (`$boolean`). */
export async function test(source: string, scope: Scope): Promise<boolean> {
  return Boolean(await evaluate(`$boolean(${source})`, scope));
}

const PLACEHOLDER = /\{\{(.+?)\}\}/g;

/** The expressions in a text's `{{ }}` placeholders, with their offsets in the text. */
export function placeholders(text: string): { source: string; offset: number }[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ source: m[1].trim(), offset: (m.index ?? 0) + 2 }));
}

/** Replaces each `{{ expr }}` with its value. */
export async function render(text: string, scope: Scope): Promise<string> {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const value = await evaluate(match[1].trim(), scope);
    out += text.slice(last, match.index) + (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
    last = (match.index ?? 0) + match[0].length;
  }
  return out + text.slice(last);
}

/** The expression a `with:`/`set:` value holds (`=expr`), or undefined for a literal or template. */
export function valueExpression(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith('=') ? value.slice(1).trim() : undefined;
}

/** A value with no expression or placeholder anywhere in it, so it can be checked before the run. */
export function isLiteral(value: unknown): boolean {
  if (typeof value === 'string') return valueExpression(value) === undefined && placeholders(value).length === 0;
  if (Array.isArray(value)) return value.every(isLiteral);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isLiteral);
  return true;
}

/** Resolves arguments: expressions evaluated, templates rendered, literals kept, recursively. */
export async function resolveValue(value: unknown, scope: Scope): Promise<unknown> {
  const expression = valueExpression(value);
  if (expression !== undefined) return evaluate(expression, scope);
  if (typeof value === 'string') return placeholders(value).length ? render(value, scope) : value;
  if (Array.isArray(value)) return Promise.all(value.map((item) => resolveValue(item, scope)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = await resolveValue(item, scope);
    return out;
  }
  return value;
}
