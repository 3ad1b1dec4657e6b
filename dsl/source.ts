/**
 * Reads a definition's YAML while keeping where every value came from, so that problems found later
 * (schema, semantics) can be reported as `file:line:col`. The workflow never sees YAML.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { DefinitionIssue, Path } from './issues';

export interface Source {
  file: string;
  /** The plain data, or undefined when the YAML could not be read at all. */
  data: unknown;
  /** YAML syntax problems, already positioned. */
  issues: DefinitionIssue[];
  /** Fills in `line` and `col` of an issue from its path. */
  position(issue: DefinitionIssue): DefinitionIssue;
}

export function readSource(file: string, text: string): Source {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  // After the first syntax error the parser reports every following token as unexpected: noise, not news.
  const issues: DefinitionIssue[] = doc.errors.slice(0, 1).map((error) => ({
    code: 'yaml-syntax',
    message: `YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
    path: [],
    ...at(error.pos[0]),
  }));
  if (!issues.length) issues.push(...aliasIssues(doc).map(({ offset, ...issue }) => ({ ...issue, ...at(offset) })));
  let data: unknown;
  if (!issues.length) {
    try {
      // Aliases are expanded here; a file whose aliases expand into more than 100 copies is refused, not loaded.
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      const offset = firstAlias(doc) ?? 0;
      issues.push({
        code: 'yaml-alias',
        message: err instanceof ReferenceError ? 'YAML: the aliases expand into too many copies (an alias bomb?)' : `YAML: ${(err as Error).message}`,
        path: [],
        hint: 'write the repeated part out, or use fewer aliases of aliases',
        ...at(offset),
      });
    }
  }
  return {
    file,
    data,
    issues,
    position(issue) {
      const found = locate(doc, issue.path, issue.atKey ?? false);
      const quoted = isScalar(found) && (found.type === 'QUOTE_DOUBLE' || found.type === 'QUOTE_SINGLE') ? 1 : 0;
      const offset = (found?.range?.[0] ?? 0) + (issue.offset === undefined ? 0 : issue.offset + quoted);
      return { ...issue, ...at(offset) };
    },
  };
}

/** Aliases used inside the very node they name (`steps: &s [ { parallel: { x: *s } } ]`): data that never ends. */
function aliasIssues(doc: Document): (DefinitionIssue & { offset: number })[] {
  const found: (DefinitionIssue & { offset: number })[] = [];
  visit(doc, {
    Alias(_key, alias, path) {
      const target = alias.resolve(doc);
      if (target && path.includes(target as never)) {
        found.push({
          code: 'yaml-alias',
          message: `YAML: alias '*${alias.source}' is used inside the node it names, so its data would never end`,
          path: [],
          hint: `refer to '&${alias.source}' from outside it, or write the nested part out`,
          offset: alias.range?.[0] ?? 0,
        });
      }
    },
  });
  return found;
}

function firstAlias(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, alias) {
      offset = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** The node at a path (the key node when `atKey`), or the deepest existing ancestor. */
function locate(doc: Document, path: Path, atKey: boolean): Node | undefined {
  let node = doc.contents as Node | null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) return node;
      if (atKey && i === path.length - 1) return pair.key as Node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment] as Node;
    } else {
      return node ?? undefined;
    }
  }
  return node ?? undefined;
}
