import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

/**
 * Every leaf field of the spec types, read from libs/service-spec/src/types.ts
 * with the TypeScript compiler: `services[].volumes[].sizeGiB`,
 * `environments.*.services.*.image`, ... A field added to the types shows up
 * here without anyone remembering to list it.
 */
export function specFieldPaths(typesFile: string): string[] {
  const source = ts.createSourceFile(typesFile, readFileSync(typesFile, 'utf8'), ts.ScriptTarget.Latest, true);
  const decls = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
  source.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) decls.set(n.name.text, n);
  });
  const out: string[] = [];
  const refName = (t: ts.TypeReferenceNode) => (ts.isIdentifier(t.typeName) ? t.typeName.text : t.typeName.right.text);
  const walkType = (t: ts.TypeNode, path: string, seen: Set<string>): void => {
    if (ts.isParenthesizedTypeNode(t)) return walkType(t.type, path, seen);
    if (ts.isTypeOperatorNode(t)) return walkType(t.type, path, seen);
    if (ts.isArrayTypeNode(t)) return walkType(t.elementType, `${path}[]`, seen);
    if (ts.isUnionTypeNode(t)) {
      const objects = t.types.filter((u) => ts.isTypeLiteralNode(u) || (ts.isTypeReferenceNode(u) && decls.has(refName(u))));
      if (!objects.length) return void out.push(path);
      // A union of a scalar shorthand and an object (dependsOn: string | DependencySpec): the object's fields are the leaves.
      for (const u of objects) walkType(u, path, seen);
      return;
    }
    if (ts.isTypeLiteralNode(t)) return walkMembers(t.members, path, seen);
    if (ts.isTypeReferenceNode(t)) {
      const name = refName(t);
      if (name === 'Readonly' || name === 'Required') return walkType(t.typeArguments![0], path, seen);
      if (name === 'Record') return walkType(t.typeArguments![1], `${path}.*`, seen);
      const d = decls.get(name);
      if (!d || seen.has(name)) return void out.push(path);
      const next = new Set(seen).add(name);
      if (ts.isInterfaceDeclaration(d)) return walkMembers(d.members, path, next);
      return walkType(d.type, path, next);
    }
    out.push(path);
  };
  const walkMembers = (members: ts.NodeArray<ts.TypeElement>, path: string, seen: Set<string>) => {
    for (const m of members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      walkType(m.type, path ? `${path}.${(m.name as ts.Identifier).text}` : (m.name as ts.Identifier).text, seen);
    }
  };
  walkType(ts.factory.createTypeReferenceNode('StackSpec'), '', new Set());
  return out;
}

export const TYPES_FILE = join(__dirname, '..', '..', '..', 'libs', 'service-spec', 'src', 'types.ts');
