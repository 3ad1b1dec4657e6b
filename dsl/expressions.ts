/**
 * Expressions inside definitions, in JSONata: a safe, side-effect-free language (never `eval`). Pure and
 * deterministic, so the interpreter workflow evaluates them; the compiler uses `expressionError` to reject
 * a bad one before anything runs.
 *
 * Where a definition gives a value (`with:`, `set:`), a string starting with `=` is an expression and
 * `{{ expr }}` inside a string is replaced by the expression's value; anything else is literal.
 */
import jsonata from 'jsonata';
import { addBusinessDays, addCalendarDays, localDate, localDateTime, startOfLocalDay, type CalendarSnapshot } from './calendar';

/**
 * What the date functions need besides the variables: the process's calendar (its zone and business days)
 * and the workflow clock's now. Kept under a symbol so that no definition variable can shadow it and it
 * never shows among the variables (JSONata and JSON ignore symbol keys).
 */
export const TIME_CONTEXT = Symbol('time context');
export interface TimeContext {
  calendar?: CalendarSnapshot;
  /** ISO instant: the workflow clock when the scope was made. */
  now: string;
}

export type Scope = Record<string, unknown> & { [TIME_CONTEXT]?: TimeContext };

/**
 * Compiled expressions by source. The worker shares this module across all its workflows (worker.ts), so an
 * expression is parsed once per worker, not once per instance. Safe to share: a compiled JSONata expression
 * keeps no state between evaluations that an evaluation reads (each gets its own frame; the `$now()` clock
 * is reset at the start of each, and an evaluation completes within one workflow activation), and nothing
 * here calls `assign` or `registerFunction` on it.
 */
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

/**
 * The date functions every expression may call (documented in the README). Dates are `YYYY-MM-DD` local
 * dates in the process calendar's zone; an ISO date-time stays a date-time (the same local clock time).
 */
export const DATE_FUNCTIONS = ['today', 'addBusinessDays', 'addCalendarDays', 'formatDate'] as const;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

function dateFunctions(context: TimeContext | undefined): Record<string, (...args: unknown[]) => unknown> {
  const calendar = context?.calendar;
  const zone = calendar ?? 'UTC';
  const instant = (value: unknown, fn: string): { at: Date; plain: boolean } => {
    if (typeof value === 'string' && PLAIN_DATE.test(value)) return { at: calendar ? startOfLocalDay(calendar, value) : new Date(`${value}T00:00:00Z`), plain: true };
    const at = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : undefined;
    if (!at || Number.isNaN(at.getTime())) throw new Error(`$${fn}: expected a date (YYYY-MM-DD) or an ISO date-time, got ${JSON.stringify(value)}`);
    return { at, plain: false };
  };
  const count = (value: unknown, fn: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`$${fn}: the number of days must be a whole number, got ${JSON.stringify(value)}`);
    return value;
  };
  const back = (at: Date, plain: boolean) => (plain ? localDate(at, zone) : at.toISOString());
  return {
    today: () => localDate(new Date(context?.now ?? Date.now()), zone),
    addBusinessDays: (value: unknown, days: unknown) => {
      if (!calendar) throw new Error('$addBusinessDays: the process has no calendar; add `calendar: us` or `calendar: hk`');
      const { at, plain } = instant(value, 'addBusinessDays');
      const n = count(days, 'addBusinessDays');
      if (n < 0) throw new Error('$addBusinessDays: the number of days must be 0 or more');
      return back(addBusinessDays(calendar, at, n), plain);
    },
    addCalendarDays: (value: unknown, days: unknown) => {
      const { at, plain } = instant(value, 'addCalendarDays');
      return back(addCalendarDays(at, count(days, 'addCalendarDays'), zone), plain);
    },
    formatDate: (value: unknown, style: unknown = 'date') => {
      const { at } = instant(value, 'formatDate');
      const date = localDate(at, zone);
      if (style === 'date') return date;
      if (style === 'datetime') return `${localDateTime(at, zone)} ${calendar ? calendar.timeZone : 'UTC'}`;
      if (style === 'long') {
        const [year, month, day] = date.split('-').map(Number);
        const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
        return `${WEEKDAYS[weekday]} ${day} ${MONTHS[month - 1]} ${year}`;
      }
      throw new Error(`$formatDate: unknown style ${JSON.stringify(style)}; use 'date', 'long' or 'datetime'`);
    },
  };
}

/**
 * The field names of an expression that is a plain path (`input.partnerEmail`, `offboardDate`): no
 * filter, index, wildcard or function. Most expressions in definitions are such paths, and JSONata evaluates
 * every step of any expression asynchronously: inside a workflow each of its promises costs a stack trace
 * (the SDK's promise hook), so these are read directly, in one synchronous walk. Undefined otherwise.
 */
const plainPaths = new Map<string, string[] | undefined>();
const PLAIN_PATH_KEYS = new Set(['type', 'steps']);
const PLAIN_STEP_KEYS = new Set(['type', 'value', 'position']);

function plainPath(source: string): string[] | undefined {
  if (plainPaths.has(source)) return plainPaths.get(source);
  const ast = compile(source).ast() as { type: string; steps?: { type: string; value: unknown }[] };
  const plain =
    ast.type === 'path' &&
    Object.keys(ast).every((key) => PLAIN_PATH_KEYS.has(key)) &&
    ast.steps!.every((step) => step.type === 'name' && typeof step.value === 'string' && Object.keys(step).every((key) => PLAIN_STEP_KEYS.has(key)));
  const names = plain ? ast.steps!.map((step) => step.value as string) : undefined;
  plainPaths.set(source, names);
  return names;
}

/** Sentinel: JSONata must answer (an array on the way, whose mapping and flattening rules it owns). */
const ASK_JSONATA = Symbol('ask JSONata');

/** A plain path's value by JSONata's rules (a missing field or a step into a non-object is undefined). */
function walk(names: string[], scope: Scope): unknown {
  let value: unknown = scope;
  for (const name of names) {
    if (Array.isArray(value)) return ASK_JSONATA;
    if (value === null || typeof value !== 'object') return undefined;
    value = Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    if (value === undefined) return undefined;
  }
  return Array.isArray(value) ? ASK_JSONATA : value;
}

function directly(source: string, scope: Scope): unknown {
  const names = plainPath(source);
  return names ? walk(names, scope) : ASK_JSONATA;
}

/** Evaluates an expression; JSONata's sequences come back as plain arrays. */
export async function evaluate(source: string, scope: Scope): Promise<unknown> {
  const direct = directly(source, scope);
  const value = direct !== ASK_JSONATA ? direct : await compile(source).evaluate(scope, dateFunctions(scope[TIME_CONTEXT]));
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** True when the expression's value is truthy the JSONata way (`$boolean`). */
export async function test(source: string, scope: Scope): Promise<boolean> {
  const direct = directly(source, scope);
  if (direct !== ASK_JSONATA) return truthy(direct);
  return Boolean(await evaluate(`$boolean(${source})`, scope));
}

/** JSONata's `$boolean` for a value that is not an array: an empty text, 0, null and an empty object are false. */
function truthy(value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return value === true;
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
