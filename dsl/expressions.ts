/**
 * Expressions inside definitions, in JSONata: a safe, side-effect-free language (never `eval`). Pure and
 * deterministic, so the interpreter workflow evaluates them; the compiler uses `expressionError` to reject
 * a bad one before anything runs.
 *
 * Where a definition gives a value (`with:`, `set:`), a string starting with `=` is an expression and
 * `{{ expr }}` inside a string is replaced by the expression's value; anything else is literal.
 */
import jsonata from 'jsonata';
import type { Eventually } from './eventually';
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
  /**
   * What is evaluated here rather than through JSONata's promises, by when the instance started: `none`
   * before anything was (patch `synchronous-expressions`); `plain`, paths and literals only, before function
   * calls and operators were too (patch `synchronous-operators`); unset: everything `directly` knows.
   */
  evaluatedHere?: 'none' | 'plain';
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
 * Most expressions in definitions are plain paths (`input.partnerEmail`), literals, calls of the date
 * functions on those (`$formatDate(offboardDate, 'long')`), and comparisons, `and`/`or`, `? :`, `&` and
 * arithmetic on such values (`found.found and $not(found.partner.archived)`). JSONata evaluates every node of
 * any expression asynchronously, and inside a workflow each of its promises costs a captured stack trace
 * (the SDK's promise hook): these forms are therefore evaluated here, synchronously, by JSONata's own rules
 * (jsonata.js `evaluateBinary` and the functions it calls), on values that are not arrays. Anything else
 * (filters, arrays on the way, whose mapping and flattening JSONata owns, and every case where JSONata
 * would raise an error) goes to JSONata, which then evaluates the whole expression.
 */
const ASK_JSONATA = Symbol('ask JSONata');

interface Node {
  type: string;
  name?: unknown;
  value?: unknown;
  steps?: Node[];
  arguments?: Node[];
  procedure?: Node;
  lhs?: Node;
  rhs?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
  expressions?: Node[];
}

/** A node with no keys but these: JSONata adds others (stages, focus, index, keepArray...) for what it alone knows. */
function only(node: Node, keys: readonly string[]): boolean {
  return Object.keys(node).every((key) => keys.includes(key));
}

const LEAF_KEYS = ['type', 'value', 'position'] as const;
// `name` is on every function node JSONata makes, always undefined for a call.
const FUNCTION_KEYS = ['type', 'name', 'value', 'position', 'arguments', 'procedure'] as const;
const BINARY_KEYS = ['type', 'value', 'position', 'lhs', 'rhs'] as const;
const CONDITION_KEYS = ['type', 'position', 'condition', 'then', 'else'] as const;
const ARRAY_KEYS = ['type', 'value', 'position', 'expressions'] as const;

/** JSONata's built-ins evaluated here, each on one argument that is not an array (`$not`, `$exists`, `$boolean`). */
const ONE_VALUE_FUNCTIONS: Record<string, (value: unknown) => unknown> = {
  not: (value) => (value === undefined ? undefined : !truthy(value)),
  exists: (value) => value !== undefined,
  boolean: (value) => (value === undefined ? undefined : truthy(value)),
};

function directly(node: Node, scope: Scope): unknown {
  const here = scope[TIME_CONTEXT]?.evaluatedHere;
  if ((node.type === 'string' || node.type === 'number' || node.type === 'value') && only(node, LEAF_KEYS)) return node.value;
  if (node.type === 'path' && only(node, ['type', 'steps']) && node.steps!.every((step) => step.type === 'name' && only(step, LEAF_KEYS))) {
    return walk(node.steps!.map((step) => step.value as string), scope);
  }
  if (here === 'plain') return ASK_JSONATA;
  const name = node.procedure?.value as string;
  if (node.type === 'function' && only(node, FUNCTION_KEYS) && node.name === undefined && node.procedure!.type === 'variable' && only(node.procedure!, LEAF_KEYS)) {
    const args = DATE_FUNCTIONS.includes(name as never) || (Object.hasOwn(ONE_VALUE_FUNCTIONS, name) && node.arguments!.length === 1)
      ? node.arguments!.map((arg) => directly(arg, scope))
      : [ASK_JSONATA];
    if (args.includes(ASK_JSONATA)) return ASK_JSONATA;
    return Object.hasOwn(ONE_VALUE_FUNCTIONS, name) ? ONE_VALUE_FUNCTIONS[name](args[0]) : dateFunctions(scope[TIME_CONTEXT])[name](...args);
  }
  if (node.type === 'binary' && only(node, BINARY_KEYS)) return binary(node.value as string, node.lhs!, node.rhs!, scope);
  if (node.type === 'condition' && only(node, CONDITION_KEYS)) {
    const condition = directly(node.condition!, scope);
    if (condition === ASK_JSONATA) return ASK_JSONATA;
    if (truthy(condition)) return directly(node.then!, scope);
    return node.else ? directly(node.else, scope) : undefined;
  }
  return ASK_JSONATA;
}

type Comparable = string | number | boolean | null;
const isScalar = (value: unknown): value is Comparable => value === null || ['string', 'number', 'boolean'].includes(typeof value);
/** What JSONata orders (`<`…`>=`) and what it computes with (`+ - * / %`); nothing (undefined) gives nothing. */
const comparable = (value: unknown) => value === undefined || typeof value === 'string' || typeof value === 'number';
const numeric = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isFinite(value));

/** A binary operator by JSONata's rules; ASK_JSONATA where JSONata would raise an error or sees more than a value. */
function binary(op: string, left: Node, right: Node, scope: Scope): unknown {
  const lhs = directly(left, scope);
  if (lhs === ASK_JSONATA) return ASK_JSONATA;
  if (op === 'and' || op === 'or') {
    // Short-circuit, as JSONata does: the right side is not evaluated when the left decides.
    if (truthy(lhs) === (op === 'or')) return op === 'or';
    const rhs = directly(right, scope);
    return rhs === ASK_JSONATA ? ASK_JSONATA : truthy(rhs);
  }
  const rhs = op === 'in' ? literalList(right) ?? directly(right, scope) : directly(right, scope);
  if (rhs === ASK_JSONATA) return ASK_JSONATA;
  switch (op) {
    case '=':
    case '!=':
      if (lhs === undefined || rhs === undefined) return false;
      if (!isScalar(lhs) || !isScalar(rhs)) return ASK_JSONATA;
      return (lhs === rhs) === (op === '=');
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!comparable(lhs) || !comparable(rhs)) return ASK_JSONATA;
      if (lhs === undefined || rhs === undefined) return undefined;
      if (typeof lhs !== typeof rhs) return ASK_JSONATA;
      const [a, b] = [lhs as string | number, rhs as string | number];
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      if (!numeric(lhs) || !numeric(rhs)) return ASK_JSONATA;
      if (lhs === undefined || rhs === undefined) return undefined;
      const [a, b] = [lhs as number, rhs as number];
      const result = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
      return Number.isFinite(result) ? result : ASK_JSONATA;
    }
    case '&': {
      const [a, b] = [asText(lhs), asText(rhs)];
      return typeof a === 'string' && typeof b === 'string' ? a + b : ASK_JSONATA;
    }
    case 'in':
      if (lhs === undefined || rhs === undefined) return false;
      if (!isScalar(lhs)) return ASK_JSONATA;
      return Array.isArray(rhs) ? rhs.includes(lhs) : rhs === lhs;
  }
  return ASK_JSONATA;
}

/** An array written out of literals (`["partner", "cam"]`), or undefined for any other node. */
function literalList(node: Node): Comparable[] | undefined {
  if (node.type !== 'unary' || node.value !== '[' || !only(node, ARRAY_KEYS)) return undefined;
  const items = node.expressions!;
  return items.every((item) => (item.type === 'string' || item.type === 'number' || item.type === 'value') && only(item, LEAF_KEYS))
    ? items.map((item) => item.value as Comparable)
    : undefined;
}

/** JSONata's `$string` for the `&` operator on a value that is not an array or object: nothing is ''. */
function asText(value: unknown): string | typeof ASK_JSONATA {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return JSON.stringify(Number.isInteger(value) ? value : Number(value.toPrecision(15)));
  if (typeof value === 'boolean' || value === null) return String(value);
  return ASK_JSONATA;
}

/** A plain path's value by JSONata's rules: a missing field, or a step into a text, number or null, is undefined. */
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

/** The expression's value when it is one of the forms evaluated here, else ASK_JSONATA; copied like JSONata's. */
function valueNow(source: string, scope: Scope): unknown {
  if (scope[TIME_CONTEXT]?.evaluatedHere === 'none') return ASK_JSONATA;
  const value = directly(compile(source).ast() as Node, scope);
  return value === undefined || value === ASK_JSONATA ? value : JSON.parse(JSON.stringify(value));
}

/** Evaluates an expression; JSONata's sequences come back as plain arrays. */
export async function evaluate(source: string, scope: Scope): Promise<unknown> {
  const direct = valueNow(source, scope);
  if (direct !== ASK_JSONATA) return direct;
  const value = await compile(source).evaluate(scope, dateFunctions(scope[TIME_CONTEXT]));
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** True when the expression's value is truthy the JSONata way (`$boolean`). */
export async function test(source: string, scope: Scope): Promise<boolean> {
  const direct = valueNow(source, scope);
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
  const direct = renderNow(text, scope);
  if (direct !== ASK_JSONATA) return direct;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    out += text.slice(last, match.index) + placed(await evaluate(match[1].trim(), scope));
    last = (match.index ?? 0) + match[0].length;
  }
  return out + text.slice(last);
}

function placed(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** `render` without a promise when every placeholder is evaluated here; else ASK_JSONATA. */
function renderNow(text: string, scope: Scope): string | typeof ASK_JSONATA {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const value = valueNow(match[1].trim(), scope);
    if (value === ASK_JSONATA) return ASK_JSONATA;
    out += text.slice(last, match.index) + placed(value);
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
  const direct = resolveNow(value, scope);
  if (direct !== ASK_JSONATA) return direct;
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

/** `resolveValue` without a promise when every expression and placeholder in it is evaluated here; else ASK_JSONATA. */
function resolveNow(value: unknown, scope: Scope): unknown {
  const expression = valueExpression(value);
  if (expression !== undefined) return valueNow(expression, scope);
  if (typeof value === 'string') return placeholders(value).length ? renderNow(value, scope) : value;
  if (Array.isArray(value)) {
    const items = value.map((item) => resolveNow(item, scope));
    return items.includes(ASK_JSONATA) ? ASK_JSONATA : items;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = resolveNow(item, scope);
      if (resolved === ASK_JSONATA) return ASK_JSONATA;
      out[key] = resolved;
    }
    return out;
  }
  return value;
}

// The same four without a promise when what they are given is evaluated here; JSONata's promise otherwise.
// Instances started before these existed (patch `eager-steps`) keep the four above, which always make one.

export function evaluateEagerly(source: string, scope: Scope): Eventually<unknown> {
  const direct = valueNow(source, scope);
  return direct === ASK_JSONATA ? evaluate(source, scope) : direct;
}

export function testEagerly(source: string, scope: Scope): Eventually<boolean> {
  const direct = valueNow(source, scope);
  return direct === ASK_JSONATA ? test(source, scope) : truthy(direct);
}

export function renderEagerly(text: string, scope: Scope): Eventually<string> {
  const direct = renderNow(text, scope);
  return direct === ASK_JSONATA ? render(text, scope) : direct;
}

export function resolveEagerly(value: unknown, scope: Scope): Eventually<unknown> {
  const direct = resolveNow(value, scope);
  return direct === ASK_JSONATA ? resolveValue(value, scope) : direct;
}
