import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ts from 'typescript';

// The process boundaries, checked on the sources: which files each process's entry point reaches
// through its imports, and which packages those files import. Production code (everything but dev/,
// test/ and the root's config files) never imports dev/; the CLI, the notify receiver, the codec
// server and the client library never reach the worker's native core. Type-only imports count too:
// the rules are about what a file depends on, not only what it loads.

const ROOT = path.join(__dirname, '..', '..');
const SKIPPED_DIRS = new Set(['node_modules', 'lib', '.tools', '.dev', '.git', 'test-artifacts']);
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** The worker's native core and what loads it. */
const NATIVE_CORE = ['@temporalio/worker', '@temporalio/core-bridge', '@temporalio/testing'];
/** The entry points that must connect with @temporalio/client only. */
const CLIENT_ONLY_ENTRY_POINTS = ['cli/main.ts', 'notify-receiver/main.ts', 'codec-server/main.ts'];

/** Every source file under root, as a path relative to it with forward slashes. */
function sourceFiles(root: string, dir = ''): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(root, rel);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Production code: not dev tooling, not tests, not a config file at the root. */
const isProduction = (rel: string) => rel.includes('/') && !rel.startsWith('dev/') && !rel.startsWith('test/');

/** The specifiers a file imports: import and export ... from, import type, import(), require(). */
function specifiersOf(root: string, rel: string): string[] {
  const text = fs.readFileSync(path.join(root, rel), 'utf8');
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The file a relative specifier names, or undefined when there is none. */
function resolveRelative(root: string, from: string, spec: string): string | undefined {
  const base = path.posix.join(path.posix.dirname(from), spec);
  const candidates = [base, `${base}.ts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts'), `${base}.js`, `${base}/index.js`];
  return candidates.find((c) => fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile());
}

const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

interface Edges {
  files: string[];
  packages: string[];
  unresolved: string[];
}

function edgesOf(root: string, rel: string): Edges {
  const edges: Edges = { files: [], packages: [], unresolved: [] };
  for (const spec of specifiersOf(root, rel)) {
    if (spec.startsWith('.')) {
      const file = resolveRelative(root, rel, spec);
      if (file) edges.files.push(file);
      else edges.unresolved.push(spec);
    } else if (!spec.startsWith('node:')) {
      edges.packages.push(packageOf(spec));
    }
  }
  return edges;
}

/**
 * Every file the entry reaches through relative imports, and for each package reached the import
 * chain that gets there (entry → ... → package), for the failure message.
 */
function reach(root: string, entry: string) {
  const via = new Map<string, string | undefined>([[entry, undefined]]);
  const packages = new Map<string, string>();
  const chain = (file: string): string[] => {
    const parent = via.get(file);
    return parent ? [...chain(parent), file] : [file];
  };
  for (const queue = [entry]; queue.length > 0;) {
    const file = queue.shift()!;
    const edges = edgesOf(root, file);
    for (const pkg of edges.packages) if (!packages.has(pkg)) packages.set(pkg, [...chain(file), pkg].join(' → '));
    for (const next of edges.files) {
      if (!via.has(next)) {
        via.set(next, file);
        queue.push(next);
      }
    }
  }
  return { files: [...via.keys()], packages };
}

/** Production files that import dev/ (or test/) directly: `file → import`. */
function productionImportsOfDev(root: string): string[] {
  return sourceFiles(root)
    .filter(isProduction)
    .flatMap((file) =>
      edgesOf(root, file)
        .files.filter((f) => f.startsWith('dev/') || f.startsWith('test/'))
        .map((f) => `${file} → ${f}`),
    );
}

/** The import chains from entry to the native core. */
function nativeCoreChains(root: string, entry: string): string[] {
  const { packages } = reach(root, entry);
  return NATIVE_CORE.filter((p) => packages.has(p)).map((p) => packages.get(p)!);
}

describe('process boundaries, on the sources', () => {
  test('every relative import of every source file resolves, so the walk below misses nothing', () => {
    const unresolved = sourceFiles(ROOT).flatMap((file) => edgesOf(ROOT, file).unresolved.map((spec) => `${file}: ${spec}`));
    assert.deepEqual(unresolved, []);
  });

  test('each process has one entry point, main.ts in its own folder, and package.json runs it', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      bin: Record<string, string>;
    };
    const processes = {
      worker: 'workers/main.ts',
      'notify-receiver': 'notify-receiver/main.ts',
      'codec-server': 'codec-server/main.ts',
      orders: 'cli/main.ts',
      sandbox: 'sandbox/main.ts',
    };
    for (const [script, entry] of Object.entries(processes)) {
      assert.ok(fs.existsSync(path.join(ROOT, entry)), `${entry} is missing`);
      assert.match(pkg.scripts[script] ?? '', new RegExp(`(^|\\s)${entry.replace('.', '\\.')}$`), `npm run ${script} runs ${entry}`);
    }
    assert.equal(pkg.bin.orders, 'lib/cli/main.js');
    assert.match(pkg.scripts.build ?? '', /node lib\/platform\/workflow-bundle\.js /, 'the build bundles the workflows without dev/');
  });

  test('no production file imports dev/ (or test/)', () => {
    assert.ok(sourceFiles(ROOT).filter(isProduction).length > 50, 'the walk sees the production files');
    assert.deepEqual(productionImportsOfDev(ROOT), []);
  });

  for (const entry of CLIENT_ONLY_ENTRY_POINTS) {
    test(`${entry} never reaches the worker's native core`, () => {
      assert.deepEqual(nativeCoreChains(ROOT, entry), []);
    });
  }

  test("client/, the order systems' library, never reaches the worker's native core", () => {
    const files = sourceFiles(ROOT).filter((f) => f.startsWith('client/'));
    assert.ok(files.includes('client/index.ts') && files.includes('client/orders.ts'), files.join(', '));
    assert.deepEqual(
      files.flatMap((file) => nativeCoreChains(ROOT, file)),
      [],
    );
  });

  test('the check is not vacuous: the worker does reach @temporalio/worker, the CLI @temporalio/client', () => {
    assert.ok(nativeCoreChains(ROOT, 'workers/main.ts').some((c) => c.endsWith('@temporalio/worker')));
    assert.ok(reach(ROOT, 'cli/main.ts').packages.has('@temporalio/client'));
  });
});

describe('the boundary checks can fail', () => {
  const fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'boundaries-'));
  after(() => fs.rmSync(fixture, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(fixture, rel)), { recursive: true });
    fs.writeFileSync(path.join(fixture, rel), text);
  };
  write('dev/paths.ts', 'export const root = 1;\n');
  write('platform/connection.ts', "import type { NativeConnection } from '@temporalio/worker';\nexport type C = NativeConnection;\n");
  write('platform/index.ts', "export * from './connection';\n");
  write('cli/main.ts', "import { root } from '../dev/paths';\nimport '../platform';\n");
  write('notify-receiver/main.ts', "const connection = require('../platform/connection');\n");
  write('client/orders.ts', "export const lazy = () => import('../platform/connection.js');\n");
  write('dev/stack.ts', "import '../platform';\n");

  test('a production file importing dev/ is found', () => {
    assert.deepEqual(productionImportsOfDev(fixture), ['cli/main.ts → dev/paths.ts']);
  });

  test('a chain to @temporalio/worker through index files, require() and a dynamic import() is found', () => {
    assert.deepEqual(nativeCoreChains(fixture, 'cli/main.ts'), [
      'cli/main.ts → platform/index.ts → platform/connection.ts → @temporalio/worker',
    ]);
    assert.deepEqual(nativeCoreChains(fixture, 'notify-receiver/main.ts'), [
      'notify-receiver/main.ts → platform/connection.ts → @temporalio/worker',
    ]);
    assert.deepEqual(nativeCoreChains(fixture, 'client/orders.ts'), ['client/orders.ts → platform/connection.ts → @temporalio/worker']);
  });
});

describe('process boundaries, at run time', () => {
  // What each entry point really loads: node runs it with a preload that lists require.cache at exit.
  // With no settings the processes stop at their settings check, after every import has loaded.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loaded-modules-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const probe = path.join(dir, 'probe.cjs');
  fs.writeFileSync(
    probe,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED_MODULES_OUT, JSON.stringify(Object.keys(require.cache))));\n",
  );

  function loadedBy(entry: string, args: string[]): string[] {
    const out = path.join(dir, `${entry.replaceAll('/', '-')}.json`);
    try {
      execFileSync(process.execPath, ['--require', probe, '--import', 'tsx', path.join(ROOT, entry), ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, LOADED_MODULES_OUT: out },
        stdio: 'ignore',
        timeout: 60_000,
      });
    } catch {
      // exits 1 on its settings check: expected
    }
    return (JSON.parse(fs.readFileSync(out, 'utf8')) as string[]).map((f) => f.split(path.sep).join('/'));
  }
  const native = (files: string[]) => files.filter((f) => /node_modules\/@temporalio\/(worker|core-bridge|testing)\//.test(f));

  for (const [entry, args] of [
    ['cli/main.ts', ['--help']],
    ['notify-receiver/main.ts', []],
    ['codec-server/main.ts', []],
  ] as const) {
    test(`${entry} loads no module of the native core`, { timeout: 90_000 }, () => {
      const files = loadedBy(entry, [...args]);
      assert.ok(
        files.some((f) => f.endsWith(`/${entry}`)),
        `the probe saw the entry point itself (${files.length} modules)`,
      );
      assert.deepEqual(native(files), []);
    });
  }

  test('the probe sees the native core where it is: the worker loads it', { timeout: 90_000 }, () => {
    assert.ok(native(loadedBy('workers/main.ts', [])).length > 0);
  });
});
