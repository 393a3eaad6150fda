/**
 * The import graph of src/: the model sits between saving (below it) and
 * loading (above it), so no chain of imports leads from src/model.ts back to
 * itself — static or dynamic (`import()`), type-only imports aside (erased).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * Runtime imports of a file: `import … from`, `export … from`, bare `import '…'` and `import('…')`; not `import type`.
 */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[2]) continue; // import type / export type
    const spec = m[3] ?? m[4]!;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files(SRC))
    g.set(
      f,
      runtimeImports(f).filter((t) => g.has(t) || statSafe(t)),
    );
  return g;
}
const statSafe = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** A chain of imports from `from` back to `from`, or null. */
function cycleThrough(g: Map<string, string[]>, from: string): string[] | null {
  const seen = new Set<string>();
  const stack: string[] = [];
  const dfs = (n: string): string[] | null => {
    for (const t of g.get(n) ?? []) {
      if (t === from) return [...stack, n, t];
      if (seen.has(t)) continue;
      seen.add(t);
      stack.push(n);
      const r = dfs(t);
      stack.pop();
      if (r) return r;
    }
    return null;
  };
  return dfs(from);
}

describe('import graph', () => {
  it('the parser sees the imports it must (a check of the check)', () => {
    const model = runtimeImports(join(SRC, 'model.ts')).map((p) => relative(SRC, p));
    expect(model).toContain(join('io', 'save.ts'));
    expect(model).toContain('layers.ts');
    expect(model.some((p) => p.includes(join('io', 'types.ts')))).toBe(false); // `import type` only
    expect(runtimeImports(join(SRC, 'io', 'config.ts')).map((p) => relative(SRC, p))).toContain('layers.ts');
  });

  it('no cycle through src/model.ts: saving below the model, loading above it', () => {
    const c = cycleThrough(graph(), join(SRC, 'model.ts'));
    expect(c?.map((p) => relative(SRC, p)).join(' → ') ?? null).toBeNull();
  });
});
