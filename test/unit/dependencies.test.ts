import fs from 'fs';
import {builtinModules} from 'module';
import path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const DECLARED: string[] = Object.keys(PKG.dependencies ?? {});
const DEV_DECLARED: string[] = Object.keys(PKG.devDependencies ?? {});

/** Package name of a resolved module file, or undefined for the project's own files. */
function packageOf(file: string): string | undefined {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.slice(file.lastIndexOf('node_modules/')));
  return m?.[1];
}

/** Everything installing `names` brings: the closure of their dependencies. */
function closureOf(names: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...names];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const file = path.join(ROOT, 'node_modules', name, 'package.json');
    if (!fs.existsSync(file)) continue;
    const dep = JSON.parse(fs.readFileSync(file, 'utf8'));
    // Optional peers are loaded inside try/catch (debug → supports-color): absent is fine too.
    todo.push(...Object.keys(dep.dependencies ?? {}), ...Object.keys(dep.optionalDependencies ?? {}), ...Object.keys(dep.peerDependenciesMeta ?? {}));
  }
  return seen;
}

/** Packages a folder's TypeScript files import or require by name (static text, type imports included). */
function importedBy(dir: string): Set<string> {
  const found = new Set<string>();
  const builtins = new Set(builtinModules);
  const walk = (at: string): void => {
    for (const entry of fs.readdirSync(at, {withFileTypes: true})) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const m of text.matchAll(/(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*)['"]([^'"]+)['"]/g)) {
          const spec = m[1];
          if (spec.startsWith('.') || spec.startsWith('node:')) continue;
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          if (!builtins.has(name)) found.add(name);
        }
      }
    }
  };
  walk(path.join(ROOT, dir));
  return found;
}

/** Packages loaded by the CLI's module graph, and by what it loads on demand. */
function loadedByConnector(): Set<string> {
  const before = new Set(Object.keys(require.cache));
  require(path.join(ROOT, 'src', 'cli'));
  // the CDK's state decoding, loaded only for a read given --state
  require(path.join(ROOT, 'src', 'protocol', 'state')).parseInputState([]);
  const loaded = new Set<string>();
  for (const file of Object.keys(require.cache)) {
    if (before.has(file)) continue;
    const name = packageOf(file);
    if (name) loaded.add(name);
  }
  return loaded;
}

describe('dependencies', () => {
  const loaded = loadedByConnector();

  it('every package the connector loads is declared (directly or by a declared package)', () => {
    expect(loaded.has('faros-airbyte-cdk')).toBe(true);
    expect(loaded.has('pino')).toBe(true);
    const allowed = closureOf(DECLARED);
    expect([...loaded].filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('every runtime dependency is loaded by the connector', () => {
    expect(DECLARED.filter((name) => !loaded.has(name))).toEqual([]);
  });

  it('every package src/ imports is a runtime dependency', () => {
    const imported = importedBy('src');
    expect(imported.has('faros-airbyte-cdk')).toBe(true);
    expect([...imported].filter((name) => !DECLARED.includes(name))).toEqual([]);
  });

  it('a runtime dependency src/ does not import is one a loaded package needs without declaring it', () => {
    const imported = importedBy('src');
    const indirect = DECLARED.filter((name) => !imported.has(name));
    for (const name of indirect) {
      // declared for a reason only if nothing else declared would install it
      expect({name, installedAnyway: closureOf(DECLARED.filter((other) => other !== name)).has(name)}).toEqual({name, installedAnyway: false});
      expect(loaded.has(name)).toBe(true);
    }
    // The CDK's utils (state decoding) load lodash, which the CDK does not declare.
    expect(indirect).toContain('lodash');
  });

  it('sandbox/ and scripts/ import only declared packages (dev dependencies allowed)', () => {
    const imported = new Set([...importedBy('sandbox'), ...importedBy('scripts')]);
    expect([...imported].filter((name) => !DECLARED.includes(name) && !DEV_DECLARED.includes(name))).toEqual([]);
  });

  it('pins csv-parse exactly: the CSV fallback relies on its internals', () => {
    expect(PKG.dependencies['csv-parse']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('pins hyparquet exactly: the Parquet page walk uses its page-level decoders', () => {
    expect(PKG.dependencies['hyparquet']).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
