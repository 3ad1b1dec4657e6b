/**
 * The names an expression uses that nothing defines: variables read at the top of the scope (`comissions.count`
 * when the step result is `commissions`) and functions JSONata does not have (`$sumx`). Found by walking the
 * parsed expression, so a name inside a filter or a lambda (relative to the item, not the scope) is left alone.
 */
import jsonata from 'jsonata';
import { DATE_FUNCTIONS } from './expressions';

/** JSONata 2.2's built-in functions (its static frame), plus the per-evaluation `$now` and `$millis`. */
export const JSONATA_FUNCTIONS: readonly string[] = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase', 'uppercase',
  'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase', 'formatInteger',
  'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean', 'not', 'map', 'zip', 'filter',
  'single', 'reduce', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'each', 'error', 'assert', 'type',
  'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent',
  'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone', 'now', 'millis',
];

/** Every function an expression may call: JSONata's and the engine's date functions. */
export const KNOWN_FUNCTIONS: readonly string[] = [...JSONATA_FUNCTIONS, ...DATE_FUNCTIONS];

export interface UnknownName {
  kind: 'variable' | 'function';
  name: string;
  /** Characters into the expression where the name starts (at its `$` for a function). */
  offset: number;
}

interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  stages?: AstNode[];
  expressions?: AstNode[];
  arguments?: AstNode[];
  procedure?: AstNode;
  lhs?: AstNode | AstNode[][];
  rhs?: AstNode;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  body?: AstNode;
  expr?: AstNode;
  group?: { lhs: AstNode[][] };
  predicate?: AstNode[];
}

/** The unknown names of an expression that parses (`expressionError` reports one that does not). */
export function unknownNames(source: string, variables: ReadonlySet<string>): UnknownName[] {
  let ast: AstNode;
  try {
    ast = jsonata(source).ast() as AstNode;
  } catch {
    return [];
  }
  const bound = new Set<string>();
  collectBindings(ast, bound);
  const found: UnknownName[] = [];
  const start = (node: AstNode, length: number) => Math.max(0, (node.position ?? length) - length);

  const visit = (node: AstNode | undefined, atScope: boolean) => {
    if (!node || typeof node !== 'object') return;
    switch (node.type) {
      case 'path': {
        node.steps?.forEach((step, i) => visit(step, atScope && i === 0));
        return;
      }
      case 'name': {
        const name = String(node.value);
        if (atScope && !variables.has(name)) found.push({ kind: 'variable', name, offset: start(node, name.length) });
        node.stages?.forEach((stage) => visit(stage, false));
        return;
      }
      case 'variable': {
        const name = String(node.value);
        // `$` is the context and `$$` the root; a bound name, or a function passed as a value, is known.
        if (name !== '' && name !== '$' && !bound.has(name) && !KNOWN_FUNCTIONS.includes(name)) {
          found.push({ kind: 'variable', name: `$${name}`, offset: start(node, name.length + 1) });
        }
        node.stages?.forEach((stage) => visit(stage, false));
        return;
      }
      case 'function':
      case 'partial': {
        const procedure = node.procedure;
        if (procedure?.type === 'variable') {
          const name = String(procedure.value);
          if (!bound.has(name) && !KNOWN_FUNCTIONS.includes(name)) found.push({ kind: 'function', name, offset: start(procedure, name.length + 1) });
        } else visit(procedure, atScope);
        node.arguments?.forEach((argument) => visit(argument, atScope));
        return;
      }
      case 'lambda':
        // A lambda's body reads its arguments and whatever it is applied to, not the scope.
        visit(node.body, false);
        return;
      case 'filter':
        visit(node.expr, false);
        return;
      case 'bind':
        visit(node.rhs, atScope);
        return;
      default:
        if (Array.isArray(node.lhs)) for (const pair of node.lhs) pair.forEach((part) => visit(part, atScope));
        else visit(node.lhs, atScope);
        for (const child of [node.rhs, node.condition, node.then, node.else, node.body, node.expr]) visit(child, atScope);
        node.expressions?.forEach((expression) => visit(expression, atScope));
        node.arguments?.forEach((argument) => visit(argument, atScope));
        node.stages?.forEach((stage) => visit(stage, false));
        if (node.group) for (const pair of node.group.lhs) pair.forEach((part) => visit(part, false));
    }
  };
  visit(ast, true);
  return found;
}

/** Names bound anywhere in the expression (`$x := ...`, lambda arguments): known wherever they are used. */
function collectBindings(node: unknown, bound: Set<string>) {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((child) => collectBindings(child, bound));
  const n = node as AstNode;
  if (n.type === 'bind' && !Array.isArray(n.lhs) && n.lhs?.type === 'variable') bound.add(String(n.lhs.value));
  if (n.type === 'lambda') n.arguments?.forEach((argument) => bound.add(String(argument.value)));
  for (const value of Object.values(n)) if (value && typeof value === 'object') collectBindings(value, bound);
}
