/**
 * Who does a task when the data decides (`role: =input.type = "reseller" ? "partner-manager" :
 * "virtual-sales"`): which roles such a reference can give, read from the expression itself, so the
 * compiler can check each against `roles:` and the interpreter can refuse anything else at run time
 * (an incident, never a task nobody can take). Pure module: the workflow imports it.
 */
import jsonata from 'jsonata';
import { expressionError, valueExpression } from './expressions';
import { suggest, type DefinitionIssue, type Path } from './issues';
import type { RoleRef } from './model';

/** What a role reference can give: the roles it names, and whether its expression could give anything else. */
export interface RoleChoices {
  /** The expression choosing the role at run time; undefined for a plain role. */
  expression?: string;
  /** Every role it can give, as far as the definition says (the literal results, or `one-of`). */
  roles: string[];
  /** The expression has a result that is not a literal (a path, a function), and no `one-of` lists them. */
  open: boolean;
  /** A condition without an `else`: when it is false the expression gives no role at all. */
  missingElse: boolean;
}

interface AstNode {
  type: string;
  value?: unknown;
  then?: AstNode;
  else?: AstNode;
  expressions?: AstNode[];
}

export function roleChoices(ref: RoleRef): RoleChoices {
  if (typeof ref !== 'string') {
    const literal = literalResults(ref.expression);
    return { expression: ref.expression, roles: ref['one-of'], open: false, missingElse: literal?.missingElse ?? false };
  }
  const expression = valueExpression(ref);
  if (expression === undefined) return { roles: [ref], open: false, missingElse: false };
  const literal = literalResults(expression);
  return { expression, roles: literal?.roles ?? [], open: literal?.open ?? true, missingElse: literal?.missingElse ?? false };
}

/** The literal strings an expression can result in, following conditions and blocks; undefined if it does not parse. */
function literalResults(source: string): { roles: string[]; open: boolean; missingElse: boolean } | undefined {
  if (expressionError(source)) return undefined;
  const out = { roles: [] as string[], open: false, missingElse: false };
  const visit = (node: AstNode | undefined) => {
    if (!node) return;
    if (node.type === 'string') out.roles.push(String(node.value));
    else if (node.type === 'condition') {
      visit(node.then);
      if (node.else) visit(node.else);
      else out.missingElse = true;
    } else if (node.type === 'block' && node.expressions?.length) visit(node.expressions[node.expressions.length - 1]);
    else out.open = true;
  };
  visit(jsonata(source).ast() as AstNode);
  out.roles = [...new Set(out.roles)];
  return out;
}

/**
 * The problems of one role reference against the declared roles: an unknown role, an expression that does
 * not parse, one that could give a role the definition cannot tell (without `one-of`), or none at all.
 */
export function roleRefIssues(ref: RoleRef, declared: readonly string[], path: Path): DefinitionIssue[] {
  const unknown = (role: string, at: Path): DefinitionIssue => ({ code: 'unknown-role', message: `unknown role '${role}'`, path: at, hint: suggest(role, declared, 'roles') });
  const choices = roleChoices(ref);
  if (choices.expression === undefined) return declared.includes(choices.roles[0]) ? [] : [unknown(choices.roles[0], path)];

  const expressionPath = typeof ref === 'string' ? path : [...path, 'expression'];
  const syntax = expressionError(choices.expression);
  if (syntax) return [{ code: 'bad-expression', message: `bad expression: ${syntax.message}`, path: expressionPath }];

  const issues: DefinitionIssue[] = [];
  if (typeof ref === 'string') {
    for (const role of choices.roles) if (!declared.includes(role)) issues.push({ ...unknown(role, path), message: `the role expression can give '${role}', which is not a declared role` });
    if (choices.open) {
      issues.push({
        code: 'unknown-role',
        message: 'the role expression can give a value that is not written in it, so it cannot be checked against roles',
        path,
        hint: `list the roles it may give: role: { expression: '${choices.expression}', one-of: [${declared.slice(0, 2).join(', ')}] }`,
      });
    }
  } else {
    ref['one-of'].forEach((role, i) => {
      if (!declared.includes(role)) issues.push(unknown(role, [...path, 'one-of', i]));
    });
    for (const role of literalResults(choices.expression)?.roles ?? []) {
      if (!ref['one-of'].includes(role)) {
        issues.push({ code: 'unknown-role', message: `the role expression can give '${role}', which is not in its 'one-of'`, path: expressionPath, hint: `add '${role}' to 'one-of', or change the expression` });
      }
    }
  }
  if (choices.missingElse) {
    issues.push({ code: 'unknown-role', message: 'the role expression gives no role when its condition is false', path: expressionPath, hint: 'add an else: cond ? "role-a" : "role-b"' });
  }
  return issues;
}
