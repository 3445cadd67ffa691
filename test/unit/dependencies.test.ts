import fs from 'fs';
import path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Package name of a resolved module file, or undefined for the project's own files. */
function packageOf(file: string): string | undefined {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.slice(file.lastIndexOf('node_modules/')));
  return m?.[1];
}

/** Everything a production install (`npm ci --omit=dev`) brings: the closure of dependencies. */
function productionClosure(): Set<string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const seen = new Set<string>();
  const todo: string[] = Object.keys(pkg.dependencies ?? {});
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

describe('dependencies', () => {
  it('every package the connector loads is declared (directly or by a declared package)', () => {
    const before = new Set(Object.keys(require.cache));
    // The CLI module graph: the source, the CDK and everything they require at load time.
    require(path.join(ROOT, 'src', 'cli'));
    // and what it loads on demand: the CDK's state decoding, for a read given --state
    require(path.join(ROOT, 'src', 'protocol', 'state')).parseInputState([]);
    const loaded = new Set<string>();
    for (const file of Object.keys(require.cache)) {
      if (before.has(file)) continue;
      const name = packageOf(file);
      if (name) loaded.add(name);
    }
    expect(loaded.has('faros-airbyte-cdk')).toBe(true);
    const allowed = productionClosure();
    expect([...loaded].filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('declares what the Faros CDK loads without declaring it itself', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const name of ['commander', 'lodash', 'faros-js-client']) expect(Object.keys(pkg.dependencies)).toContain(name);
  });
});
