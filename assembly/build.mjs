// The build, cached and in parallel.
//
// Kernels: the two release binaries, each compiled by AssemblyScript's
// compiler in its own child process (run together; -O3 is ~2 s of
// single-threaded Binaryen work per binary, ~4 s per process in all), then
// embedded, gzipped and base64-encoded, in src/generated/wasm.js (+ wasm.d.ts) and its ready copies dist/generated/wasm.js
// (ES module) and dist/cjs/generated/wasm.js (CommonJS), so the library loads
// its kernels with no file-system path or fetch (bundler-safe, Node and
// browsers alike). The generated module is plain JavaScript with a fixed
// declaration, so tsc type-checks against it without waiting for the kernels
// and runs at the same time.
//
// Each binary is skipped when the hash of its inputs (every assembly/ source,
// asconfig.json, the target's name, the compiler's and Binaryen's versions)
// matches the one written beside it (build/<binary>.inputs) at its last build;
// a generated file is written only when its content changes. tsc runs are
// skipped the same way (dist/.inputs-esm, dist/cjs/.inputs-cjs: the hash of
// src/ and the tsconfigs). Also checks each binary imports nothing but a
// shared env.memory and that its static data (AssemblyScript's math tables)
// ends below the thread pool's control block, so a second instance on the same
// shared memory (a worker) overwrites nothing of it when instantiated.
//
// Usage: node assembly/build.mjs [--ts] [--cjs] [--debug] [--force]
//   (no flag)  the kernels and the generated module
//   --ts       also the ES-module build (tsc -p tsconfig.json → dist/)
//   --cjs      also the CommonJS build (tsc -p src/tsconfig.cjs.json → dist/cjs/)
//   --debug    also the debug kernels (build/simdnet-debug.wasm, .wat)
//   --force    ignore the cached hashes
//   --dry-run  only say which kernels and tsc builds are stale, build nothing
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const config = JSON.parse(await readFile(join(root, 'asconfig.json'), 'utf8'));
const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);

/** Embedded export name → asconfig target. */
const EMBED = {
  WASM_SIMD: 'release-simd',
  WASM_RELAXED: 'release-relaxed',
};
// No third binary for pages without shared memory: the loader clears the
// shared bit of release-simd's memory import (src/runtime/loader.ts,
// unshareMemoryImport), which is all a sharedMemory: false build changes (the
// two were byte-identical but for that flag; the kernels never wait on the
// memory, and atomic loads and stores are valid on an unshared one).
// Static data must end below the thread pool's control block, which sits at
// the top of the reserved low 64 KiB (LAYOUT.headerBase in src/runtime/pool.ts).
const STATIC_DATA_LIMIT = 15360;

// ---- child mode: compile one target and exit (run by the parent below).
if (flag('--one')) {
  const target = argv[argv.indexOf('--one') + 1];
  const { default: asc } = await import('assemblyscript/asc');
  const { error, stderr } = await asc.main(
    ['--config', join(root, 'asconfig.json'), '--target', target],
    { stdout: process.stdout, stderr: process.stderr },
  );
  if (error) {
    console.error(stderr?.toString?.() ?? '');
    console.error(`asc failed for target ${target}: ${error.message}`);
    process.exit(1);
  }
  process.exit(0);
}

/** Files under dir (recursively) whose names end in one of exts, sorted. */
async function listFiles(dir, exts) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await listFiles(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
  }
  return out.sort();
}

/** sha256 over labelled parts and the named files' paths and contents. */
async function hashOf(parts, files) {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p}\0`);
  for (const f of files) { h.update(`${relative(root, f)}\0`); h.update(await readFile(f)); h.update('\0'); }
  return h.digest('hex');
}

const readText = async (f) => (existsSync(f) ? readFile(f, 'utf8') : null);

/** Write only when the content changes (keeps mtimes, so watchers and caches stay quiet). */
async function writeIfChanged(file, text) {
  if (await readText(file) === text) return false;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return true;
}

/** Run a command; resolves with its exit code. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    c.on('exit', (code, sig) => resolve(code ?? (sig ? 1 : 0)));
    c.on('error', (e) => { console.error(e.message); resolve(1); });
  });
}

const t0 = performance.now();
const force = flag('--force');
const ms = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

// ---- the kernels
const ascPkg = JSON.parse(await readFile(require.resolve('assemblyscript/package.json'), 'utf8'));
const binaryenPkg = JSON.parse(await readFile(require.resolve('binaryen/package.json'), 'utf8'));
const kernelSources = await listFiles(join(root, 'assembly'), ['.ts']);
const kernelFiles = [join(root, 'asconfig.json'), ...kernelSources];

const targets = [...Object.values(EMBED)];
if (flag('--debug')) targets.push('debug');

await mkdir(join(root, 'build'), { recursive: true });
const stale = [];
const hashes = {};
for (const target of targets) {
  const out = join(root, config.targets[target].outFile);
  hashes[target] = await hashOf([`target ${target}`, `assemblyscript ${ascPkg.version}`, `binaryen ${binaryenPkg.version}`], kernelFiles);
  if (force || !existsSync(out) || (await readText(`${out}.inputs`))?.trim() !== hashes[target]) stale.push(target);
}

if (flag('--dry-run')) {
  console.log(`kernels stale: ${stale.join(', ') || 'none'}`);
}

/** The declaration of the generated module: fixed, so tsc never waits for the kernels. */
const DECL = '// Generated by assembly/build.mjs. Do not edit; git-ignored.\n' +
  Object.keys(EMBED).map((n) => `/** A kernel binary, gzipped then base64-encoded (see src/runtime/loader.ts). */\nexport declare const ${n}: string;\n`).join('');
await writeIfChanged(join(root, 'src', 'generated', 'wasm.d.ts'), DECL);
// The generated module used to be TypeScript: a stale wasm.ts would shadow wasm.js for tsc.
await rm(join(root, 'src', 'generated', 'wasm.ts'), { force: true });

const tsTasks = [];
/** tsc for one build, skipped when src/ and the tsconfigs hash as at its last run. */
async function tsc(label, project, stampFile, mustExist, after) {
  const srcFiles = await listFiles(join(root, 'src'), ['.ts', '.cts', '.json']);
  const tsPkg = JSON.parse(await readFile(require.resolve('typescript/package.json'), 'utf8'));
  const h = await hashOf([`tsc ${label}`, `typescript ${tsPkg.version}`],
    [join(root, 'tsconfig.json'), ...srcFiles.filter((f) => !f.includes(`${join('src', 'generated')}`))]);
  if (!force && mustExist.every((f) => existsSync(join(root, f))) && (await readText(join(root, stampFile)))?.trim() === h) {
    console.log(`${label}: up to date`);
    return;
  }
  if (flag('--dry-run')) { console.log(`${label}: stale`); return; }
  const code = await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project]);
  if (code !== 0) throw new Error(`${label}: tsc failed (exit ${code})`);
  if (after) await after();
  await writeIfChanged(join(root, stampFile), `${h}\n`);
  console.log(`${label}: built (${ms()})`);
}
const esm = flag('--ts') || flag('--cjs')
  ? tsc('ES module build', 'tsconfig.json', 'dist/.inputs-esm', ['dist/index.js', 'dist/index.d.ts'])
  : Promise.resolve();
const cjs = flag('--cjs')
  ? esm.then(() => tsc('CommonJS build', 'src/tsconfig.cjs.json', 'dist/cjs/.inputs-cjs', ['dist/cjs/index.cjs', 'dist/cjs/package.json'],
    () => writeIfChanged(join(root, 'dist', 'cjs', 'package.json'), '{"type": "commonjs"}\n')))
  : Promise.resolve();
tsTasks.push(esm, cjs);

if (flag('--dry-run')) { await Promise.all(tsTasks); process.exit(0); }

// Every stale binary at once, each in its own process (one core each; with
// fewer cores the operating system shares them out, still sooner than in turn).
const codes = await Promise.all(stale.map((t) => run(process.execPath, [self, '--one', t])));
const failed = stale.filter((_, i) => codes[i] !== 0);
if (failed.length > 0) {
  console.error(`asc failed for ${failed.join(', ')}`);
  await Promise.allSettled(tsTasks);
  process.exit(1);
}
for (const t of stale) await writeFile(join(root, `${config.targets[t].outFile}.inputs`), `${hashes[t]}\n`);
console.log(stale.length > 0 ? `kernels: built ${stale.join(', ')} (${ms()})` : 'kernels: up to date');

/**
 * Walk the binary's sections (no WebAssembly.Module: Node 20 cannot compile the
 * relaxed build without a flag): the only import must be env.memory, and any
 * data segment must end below STATIC_DATA_LIMIT.
 */
function checkModule(name, bytes) {
  let p = 8;
  const u32 = () => { let r = 0, s = 0, b; do { b = bytes[p++]; r += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80); return r; };
  const str = () => { const n = u32(); const v = new TextDecoder().decode(bytes.subarray(p, p + n)); p += n; return v; };
  const limits = () => { const flags = u32(); u32(); if (flags & 1) u32(); return flags; };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = u32();
    const end = p + size;
    if (id === 2) {
      const count = u32();
      for (let i = 0; i < count; i++) {
        const mod = str(), field = str(), kind = bytes[p++];
        if (kind === 0) u32();
        else if (kind === 1) { p++; limits(); }
        else if (kind === 2 && (limits() & 2) === 0) {
          throw new Error(`${name}: its memory import is not shared (the loader derives the unshared variant from it)`);
        }
        else if (kind === 3) p += 2;
        if (!(mod === 'env' && field === 'memory' && kind === 2)) {
          throw new Error(`${name}: unexpected import ${mod}.${field} (only env.memory is provided)`);
        }
      }
    } else if (id === 11) {
      const count = u32();
      for (let s = 0; s < count; s++) {
        const flags = u32();
        if (flags !== 0) throw new Error(`${name}: unexpected data segment kind ${flags}`);
        if (bytes[p++] !== 0x41) throw new Error(`${name}: data segment offset is not i32.const`);
        const off = u32(); p++; // the `end` of the offset expression
        const len = u32(); p += len;
        if (off + len > STATIC_DATA_LIMIT) {
          throw new Error(`${name}: static data [${off}, ${off + len}) overlaps the thread pool's control block at ${STATIC_DATA_LIMIT}`);
        }
      }
    }
    p = end;
  }
}


const body = [];
for (const [name, target] of Object.entries(EMBED)) {
  const file = join(root, config.targets[target].outFile);
  const bytes = new Uint8Array(await readFile(file));
  checkModule(target, bytes);
  // Gzipped before base64: a bundle then carries ~25 KB of each binary after its own gzip, not ~40 KB.
  const packed = gzipSync(bytes, { level: 9 });
  body.push(`\n/** ${target}: ${bytes.length} bytes (${packed.length} gzipped). */\n`, [name, packed.toString('base64')]);
  if (stale.includes(target)) console.log(`${target}: ${bytes.length} bytes`);
}
const banner = '// Generated by assembly/build.mjs from assembly/**. Do not edit; git-ignored.\n' +
  '// The kernel binaries, gzipped then base64-encoded (see src/runtime/loader.ts).\n';
const emit = (fmt) => banner + body.map((b) => (typeof b === 'string' ? b
  : fmt === 'esm' ? `export const ${b[0]} =\n  '${b[1]}';\n` : `exports.${b[0]} =\n  '${b[1]}';\n`)).join('');
const ESM_TEXT = emit('esm');
const CJS_TEXT = '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n' + emit('cjs');
let wrote = 0;
wrote += +await writeIfChanged(join(root, 'src', 'generated', 'wasm.js'), ESM_TEXT);
if (flag('--ts') || flag('--cjs') || existsSync(join(root, 'dist'))) {
  await rm(join(root, 'dist', 'generated', 'wasm.js.map'), { force: true }); // left by tsc when this was TypeScript
  wrote += +await writeIfChanged(join(root, 'dist', 'generated', 'wasm.js'), ESM_TEXT);
  wrote += +await writeIfChanged(join(root, 'dist', 'generated', 'wasm.d.ts'), DECL);
}
if (flag('--cjs') || existsSync(join(root, 'dist', 'cjs'))) {
  wrote += +await writeIfChanged(join(root, 'dist', 'cjs', 'generated', 'wasm.js'), CJS_TEXT);
  wrote += +await writeIfChanged(join(root, 'dist', 'cjs', 'generated', 'wasm.d.ts'), DECL);
}
if (wrote > 0) console.log(`wrote the generated kernel module (${wrote} file${wrote > 1 ? 's' : ''})`);

try {
  await Promise.all(tsTasks);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
console.log(`build done in ${ms()}`);
