import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

// No two of the project's modules import each other, directly or around a loop: a cycle makes the order modules
// load in depend on who imports first, and ties together what should change apart. Every import counts,
// `import type` and `export ... from` too. The imports are read and resolved by the TypeScript compiler itself
// (preProcessFile, resolveModuleName with the project's tsconfig), so the graph is the one tsc sees.

const ROOT = join(__dirname, '..', '..');
/** Not the project's own source: installed packages, build output, tools, development keys, git. */
const NOT_SOURCE = new Set(['node_modules', 'lib', '.tools', '.dev', '.git']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (NOT_SOURCE.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each source file (relative to the root) and the source files it imports. */
function importGraph(): Map<string, string[]> {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const cache = ts.createModuleResolutionCache(ROOT, (f) => f, options);
  const files = sourceFiles(ROOT);
  const own = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const imports = importedFiles
      .map((i) => ts.resolveModuleName(i.fileName, file, options, ts.sys, cache).resolvedModule?.resolvedFileName)
      .filter((f): f is string => f !== undefined && own.has(f));
    graph.set(relative(ROOT, file), [...new Set(imports.map((f) => relative(ROOT, f)))]);
  }
  return graph;
}

/**
 * The cycles of the graph, as loops of files: the groups of files that import each other (Tarjan's strongly connected
 * components), each named by loops that between them pass through every file of the group.
 */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group = stack.splice(stack.indexOf(v));
    if (group.length > 1 || graph.get(v)?.includes(v)) groups.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return groups.flatMap((group) => {
    const loops: string[][] = [];
    for (const file of group) if (!loops.some((loop) => loop.includes(file))) loops.push(loopThrough(graph, group, file));
    return loops;
  });
}

/** The shortest loop from `start` back to it, within its group. */
function loopThrough(graph: ReadonlyMap<string, readonly string[]>, group: string[], start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (w === start) {
        const loop = [start];
        for (let at = v; at !== start; at = cameFrom.get(at)!) loop.splice(1, 0, at);
        return [...loop, start];
      }
      if (group.includes(w) && !cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return group;
}

test("no import cycles among the project's modules, import type included", () => {
  const graph = importGraph();
  assert.ok(graph.size > 250, `only ${graph.size} source files found`);
  const cycles = cyclesOf(graph).map((loop) => loop.join(' -> '));
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});

test('the graph counts type-only imports and re-exports', () => {
  const graph = importGraph();
  // `import type { PaymentDeclaration }` and `export type { PaymentDeclaration } from`.
  assert.ok(graph.get(join('sandbox', 'customs', 'receipts.ts'))?.includes(join('sandbox', 'customs', 'payment-declaration.ts')));
  assert.ok(graph.get(join('sandbox', 'customs', 'engine.ts'))?.includes(join('sandbox', 'customs', 'payment-declaration.ts')));
  assert.ok(graph.get(join('dev', 'scenarios', 'money-paths.ts'))?.includes(join('dev', 'scenarios', 'scenario.ts')));
});

test('every cycle is named as a loop of its files, every file of a group on one', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts', 'd.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', []],
    ['e.ts', ['e.ts']],
    ['f.ts', ['g.ts', 'h.ts']],
    ['g.ts', ['f.ts']],
    ['h.ts', ['f.ts']],
  ]);
  assert.deepEqual(cyclesOf(graph), [
    ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
    ['e.ts', 'e.ts'],
    ['f.ts', 'g.ts', 'f.ts'],
    ['h.ts', 'f.ts', 'h.ts'],
  ]);
});
