import fs from 'fs';
import path from 'path';

/**
 * The data path is one-way (docs/design.md §12): no import cycle between the top-level parts of
 * src/ (a folder, or a file directly under src/ such as errors.ts or dates.ts), and the lower
 * layers do not reach up.
 */

const SRC = path.resolve(__dirname, '..', '..', 'src');

/** Where one part imports another: the importing file and the specifier, for the failure message. */
interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The top-level part of src/ a file belongs to: its first folder, or its own name at the root. */
function partOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length ? first : first.replace(/\.(ts|js)$/, '');
}

/**
 * Relative specifiers of a file's static imports and re-exports (single or multi-line, statements
 * starting a line, so comments quoting an import do not count), `require(...)` and `import(...)`.
 */
export function importSpecifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.push(m[1]);
  return found.filter((s) => s.startsWith('.'));
}

function partEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = partOf(file);
    for (const specifier of importSpecifiers(fs.readFileSync(file, 'utf8'))) {
      const target = path.resolve(path.dirname(file), specifier);
      if (path.relative(SRC, target).startsWith('..')) continue; // resources/, package.json
      const to = partOf(target);
      if (to !== from) edges.push({from, to, file: path.relative(SRC, file), specifier});
    }
  }
  return edges;
}

/** Every elementary cycle's parts, found by a depth-first walk; each cycle reported once. */
export function findCycles(graph: Map<string, Set<string>>): string[][] {
  const cycles = new Map<string, string[]>();
  const walk = (node: string, trail: string[]): void => {
    for (const next of graph.get(node) ?? []) {
      const at = trail.indexOf(next);
      if (at >= 0) {
        const cycle = trail.slice(at);
        // One rotation per cycle: start it at its smallest part.
        const start = cycle.indexOf([...cycle].sort()[0]);
        const key = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(key.join(' → '), key);
      } else {
        walk(next, [...trail, next]);
      }
    }
  };
  for (const node of graph.keys()) walk(node, [node]);
  return [...cycles.values()];
}

function graphOf(edges: Edge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)!.add(e.to);
  }
  return graph;
}

/** Imports a part must not make: the lower layers know nothing of the ones above them. */
const FORBIDDEN: Array<[from: string, to: string]> = [
  ['readers', 'work'],
  ['readers', 'sync'],
  ['http', 'readers'],
  ['http', 'decode'],
  ['http', 'normalize'],
  ['http', 'work'],
  ['http', 'sync'],
  ['http', 'streams'],
];

/**
 * Rules the code does not meet yet on this branch, run with test.failing so that the day they
 * hold the test says so and the entry must go.
 */

describe('architecture', () => {
  const edges = partEdges();

  test('the import scan sees the parts and their imports', () => {
    // Guards the checks below against a scan that finds nothing (a changed layout or regex).
    const graph = graphOf(edges);
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['config', 'http', 'readers', 'streams', 'sync', 'track', 'work']));
    expect(graph.get('sync')).toContain('config');
    expect(graph.get('streams')).toContain('sync');
    expect(importSpecifiers("import {\n  a,\n  b,\n} from '../x/y';\nexport {c} from './z';\n// import {d} from '../no';\nconst w = require('./w');"))
      .toEqual(['../x/y', './z', './w']);
  });

  test('the cycle finder finds a cycle through three parts, once', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set<string>()],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c']]);
  });

  test('no import cycle between the top-level parts of src/', () => {
    const cycles = findCycles(graphOf(edges)).map((cycle) => {
      const links = cycle.map((from, i) => {
        const to = cycle[(i + 1) % cycle.length];
        const e = edges.find((x) => x.from === from && x.to === to)!;
        return `${from} → ${to} (${e.file}: '${e.specifier}')`;
      });
      return links.join(', ');
    });
    expect(cycles).toEqual([]);
  });

  for (const [from, to] of FORBIDDEN) {
    test(`${from}/ does not import ${to}/`, () => {
      const offending = edges.filter((e) => e.from === from && e.to === to).map((e) => `${e.file}: '${e.specifier}'`);
      expect(offending).toEqual([]);
    });
  }
});
