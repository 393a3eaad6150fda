#!/usr/bin/env node
// simdnet benchmarks, side by side with pure JS, TensorFlow.js and brain.js, in one run.
//
//   npm run bench                           full run (builds first): table on stdout, and
//                                           bench/results/latest.json, bench/RESULTS.md,
//                                           bench/results/ratios.svg
//   npm run bench -- --quick --json FILE    short run; the same records to FILE only
//
// Options: --quick, --json FILE, --suites gemm,train,predict,programs, --cases gemm-nn-512,…,
//          --contenders simdnet-wasm,tfjs-wasm,…, --rounds N, --no-write (full run without
//          touching bench/RESULTS.md and bench/results/), --verbose (children's output).
//
// Every contender runs in a child process of its own (bench/host.mjs); within a case they
// take turns, round after round (A B C … A B C …), so drift on a shared machine hits all
// of them alike; only one process works at a time. A round is one tinybench run of the
// contender's task for a short time budget (at least one iteration); its median latency
// gives the round's figure. Reported: the median over rounds, with min and max.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS } from './contenders/index.mjs';
import { cases as gemmCases, gemmDims } from './suites/gemm.mjs';
import { cases as trainCases } from './suites/train.mjs';
import { cases as predictCases } from './suites/predict.mjs';
import { cases as programCases } from './suites/programs.mjs';
import { machineInfo, printCase, printSummary, writeMarkdown, writeSvg } from './report.mjs';
import { uniform } from './data.mjs';
import { TARGETS, speedup } from './targets.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// ------------------------------------------------------------------ options
function parseArgs(argv) {
  const o = {
    quick: false,
    json: null,
    suites: null,
    cases: null,
    contenders: null,
    rounds: null,
    write: true,
    verbose: false,
  };
  const list = (v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = val();
    else if (a === '--suites' || a === '--suite') o.suites = list(val());
    else if (a === '--cases' || a === '--case') o.cases = list(val());
    else if (a === '--contenders') o.contenders = list(val());
    else if (a === '--rounds') o.rounds = Number(val());
    else if (a === '--no-write') o.write = false;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node bench/run.mjs [--quick] [--json FILE] [--suites gemm,train,predict,programs] [--cases …] [--contenders …] [--rounds N] [--no-write] [--verbose]',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const log = (...a) => process.stderr.write(a.join(' ') + '\n');

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  log('dist/index.js is missing: run `npm run build` first (or use `npm run bench`, which builds).');
  process.exit(1);
}

// ------------------------------------------------------------------ child processes
class Host {
  constructor(key, c, verbose) {
    this.key = key;
    this.pending = new Map();
    this.nextId = 1;
    this.output = '';
    this.dead = null;
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('SIMDNET_')) delete env[k];
    Object.assign(env, c.env ?? {});
    this.child = fork(
      HERE + 'host.mjs',
      [new URL(`./contenders/${c.module}`, import.meta.url).href, JSON.stringify(c.init ?? {})],
      {
        execArgv: ['--expose-gc', ...(c.execArgv ?? [])],
        env,
        cwd: ROOT,
        stdio: verbose ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    const keep = (d) => {
      this.output = (this.output + d).slice(-4000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.ready = new Promise((res, rej) => this.pending.set(0, { res, rej }));
    this.child.on('message', (m) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.res(m.result);
      else p.rej(new Error(m.error));
    });
    this.child.on('exit', (code, sig) => {
      this.dead = `exited (${sig ?? code})${this.output ? `: ${this.output.trim().split('\n').slice(-6).join(' | ')}` : ''}`;
      for (const p of this.pending.values()) p.rej(new Error(`${this.key} ${this.dead}`));
      this.pending.clear();
    });
  }
  call(op, payload = {}) {
    if (this.dead) return Promise.reject(new Error(`${this.key} ${this.dead}`));
    const id = this.nextId++;
    return new Promise((res, rej) => {
      this.pending.set(id, { res, rej });
      this.child.send({ id, op, ...payload });
    });
  }
  close() {
    if (!this.dead) this.child.send({ op: 'exit' });
  }
}

// ------------------------------------------------------------------ what to run
const mode = { quick: opts.quick };
let allCases = [
  ...(!opts.suites || opts.suites.includes('gemm') ? gemmCases(mode) : []),
  ...(!opts.suites || opts.suites.includes('train') ? trainCases(mode) : []),
  ...(!opts.suites || opts.suites.includes('predict') ? predictCases(mode) : []),
  ...(!opts.suites || opts.suites.includes('programs') ? programCases(mode) : []),
];
if (opts.cases) allCases = allCases.filter((c) => opts.cases.includes(c.case));
const wanted = CONTENDERS.filter((c) => !opts.contenders || opts.contenders.includes(c.name));
const maxRounds = opts.rounds ?? (opts.quick ? 3 : 7);
const minRounds = opts.quick ? 1 : 3;

const unitValue = (kase, ms) => {
  switch (kase.unit) {
    case 'GFLOP/s':
      return kase.work.flops / (ms * 1e6);
    case 'samples/s':
    case 'rows/s':
      return kase.work.samples / (ms / 1000);
    case 'ms':
      return ms;
    case 'us':
      return ms * 1000;
    default:
      throw new Error(`unknown unit ${kase.unit}`);
  }
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Exact (float64) Σ C for the GEMM check: Σ_ij (op(A)op(B))_ij = Σ_k (Σ_i op(A)[i,k])·(Σ_j op(B)[k,j]). */
function gemmExpectedSum(spec) {
  const [m, k, n] = gemmDims(spec);
  const A = uniform(m * k, 1),
    B = uniform(k * n, 2);
  let s = 0;
  for (let p = 0; p < k; p++) {
    let sa = 0,
      sb = 0;
    // Σ_i op(A)[i,p]: column p of A stored M×K (NN) or row p of A stored K×M (TN).
    for (let i = 0; i < m; i++) sa += spec.transA ? A[p * m + i] : A[i * k + p];
    // Σ_j op(B)[p,j]: row p of B stored K×N (NN) or column p of B stored N×K (NT).
    for (let j = 0; j < n; j++) sb += spec.transB ? B[j * k + p] : B[p * n + j];
    s += sa * sb;
  }
  return s;
}

// ------------------------------------------------------------------ main
const t0 = Date.now();
const meta = machineInfo();
meta.mode = opts.quick ? 'quick' : 'full';
meta.rounds = maxRounds;
log(
  `simdnet bench (${meta.mode}): ${meta.cpu}, ${meta.cores} cores, Node ${meta.node}; load ${meta.loadStart.join(' ')}`,
);

const hosts = new Map();
const infos = {};
const notes = [];
const alive = [];
for (const c of wanted) {
  let h = hosts.get(c.process);
  if (!h) {
    h = new Host(c.process, c, opts.verbose);
    hosts.set(c.process, h);
    try {
      await h.ready;
      h.info = await h.call('init');
    } catch (e) {
      h.failed = e.message.split('\n')[0];
    }
  }
  if (h.failed) {
    notes.push(`${c.name}: not run: ${h.failed}`);
    log(`  ${c.name}: not run: ${h.failed}`);
    continue;
  }
  infos[c.name] = { ...h.info, about: c.about, ...(c.execArgv?.length ? { nodeFlags: c.execArgv.join(' ') } : {}) };
  alive.push(c);
  log(`  ${c.name}: ${JSON.stringify(h.info)}`);
}
meta.contenders = infos;

const records = [];
meta.caseLoad = {};

// Cases a target compares with another case (TARGETS' `of`: diagnostics against plain training, A·Bᵀ
// against A·B) run as one group with that case: round by round, each contender's rounds of the group's
// cases back to back, so that both sides of the ratio see the same phase of a drifting machine. Each
// such case's record carries the median of its per-round ratios to the other case (pairedRatio).
const pairOf = new Map(TARGETS.filter((t) => t.of).map((t) => [t.case, t.of]));
const byName = new Map(allCases.map((k) => [k.case, k]));
const groups = [];
const grouped = new Set();
for (const kase of allCases) {
  if (grouped.has(kase.case)) continue;
  const leader = byName.get(pairOf.get(kase.case)) ?? kase;
  const members = allCases.filter((k) => k !== leader && pairOf.get(k.case) === leader.case);
  const group = [leader, ...members].filter((k) => !grouped.has(k.case));
  for (const k of group) grouped.add(k.case);
  groups.push(group);
}

for (const group of groups) {
  const tc = Date.now();
  /** One entrant per (case, contender) of the group. */
  const entrants = [];
  for (const kase of group) {
    meta.caseLoad[kase.case] = os.loadavg()[0].toFixed(2);
    for (const c of alive) {
      if (c.extraOnly && !(kase.extra ?? []).includes(c.name)) continue;
      if ((kase.skip ?? []).includes(c.name)) continue;
      const h = hosts.get(c.process);
      // The host keys what is set up by this name: a group's cases stay set up side by side.
      const key = group.length > 1 ? `${c.name}#${kase.case}` : c.name;
      try {
        const r = await h.call('setup', { name: key, spec: kase.spec, opts: c.opts ?? {} });
        if (!r.supported) continue;
        const rounds = Math.max(minRounds, Math.min(maxRounds, Math.floor(kase.capMs / Math.max(r.probeMs, 1e-3))));
        entrants.push({ kase, c, h, key, probeMs: r.probeMs, check: r.check, rounds, values: [], iterations: 0 });
      } catch (e) {
        notes.push(`${kase.case} / ${c.name}: setup failed: ${e.message.split('\n')[0]}`);
        log(`  ${kase.case} / ${c.name}: setup failed: ${e.message}`);
      }
    }
  }
  // Paired cases take the same number of rounds for one contender (the fewest any of them asked for).
  if (group.length > 1) {
    for (const e of entrants) {
      e.rounds = Math.min(...entrants.filter((o) => o.c === e.c).map((o) => o.rounds));
    }
  }
  for (const kase of group) {
    if (kase.spec.kind !== 'gemm') continue;
    const want = gemmExpectedSum(kase.spec),
      [m, k, n] = gemmDims(kase.spec);
    // Σ C over m·n entries of size ~√k/3: float32 rounding leaves ~1e-6 of that; a wrong form or stride is off by O(1).
    const scale = (m * n * Math.sqrt(k)) / 3;
    for (const e of entrants) {
      if (e.kase !== kase || e.check === null) continue;
      const dev = Math.abs(e.check - want) / scale;
      if (!(dev < 1e-4)) {
        notes.push(`${kase.case} / ${e.c.name}: result check failed (Σ C = ${e.check}, expected ${want})`);
        log(`  WARNING ${kase.case} / ${e.c.name}: result check failed (Σ C = ${e.check}, expected ${want})`);
      }
    }
  }
  // Round r: every contender in turn (A B C … A B C …); within a contender, the group's cases back to back.
  const most = Math.max(0, ...entrants.map((e) => e.rounds));
  for (let r = 0; r < most; r++) {
    for (const c of alive) {
      for (const e of entrants) {
        if (e.c !== c || r >= e.rounds || e.failed) continue;
        // The first round warms up (JIT, caches) unless the probe call alone took long enough.
        const warmupMs = r === 0 && e.probeMs < 300 ? Math.min(e.kase.timeMs, 300) : 0;
        try {
          const m = await e.h.call('round', { name: e.key, timeMs: e.kase.timeMs, warmupMs });
          e.values.push(unitValue(e.kase, m.medianMs));
          e.iterations += m.iterations;
        } catch (err) {
          e.failed = err.message.split('\n')[0];
          notes.push(`${e.kase.case} / ${e.c.name}: failed: ${e.failed}`);
          log(`  ${e.kase.case} / ${e.c.name}: failed: ${err.message}`);
        }
      }
    }
  }
  for (const e of entrants) await e.h.call('teardown', { name: e.key }).catch(() => {});
  for (const kase of group) {
    const caseRecords = [];
    for (const e of entrants) {
      if (e.kase !== kase || e.values.length === 0) continue;
      const rec = {
        suite: kase.suite,
        case: kase.case,
        contender: e.c.name,
        unit: kase.unit,
        higherIsBetter: kase.higherIsBetter,
        median: median(e.values),
        min: Math.min(...e.values),
        max: Math.max(...e.values),
        samples: e.values.length,
      };
      const base = entrants.find((o) => o.c === e.c && o.kase.case === pairOf.get(kase.case));
      if (base && base.values.length === e.values.length) {
        rec.pairedWith = base.kase.case;
        rec.pairedRatio = median(e.values.map((v, i) => speedup(v, base.values[i], kase.higherIsBetter)));
      }
      caseRecords.push(rec);
    }
    records.push(...caseRecords);
    printCase(kase, caseRecords, ((Date.now() - tc) / 1000).toFixed(1));
  }
}

for (const h of hosts.values()) h.close();
meta.loadEnd = machineInfo().loadStart;
meta.seconds = Math.round((Date.now() - t0) / 1000);
meta.notes = notes;
log(`done in ${meta.seconds} s; load ${meta.loadEnd.join(' ')}`);
printSummary(records);

const json = JSON.stringify(records, null, 1) + '\n';
if (opts.json) {
  // `npm run bench -- --json FILE` runs from the package root: resolve FILE where npm was called.
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), opts.json);
  writeFileSync(file, json);
  log(`records written to ${file}`);
}
if (!opts.quick && opts.write) {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.json', dir), json);
  writeFileSync(new URL('meta.json', dir), JSON.stringify(meta, null, 1) + '\n');
  writeFileSync(new URL('ratios.svg', dir), writeSvg(records));
  writeFileSync(new URL('./RESULTS.md', import.meta.url), writeMarkdown(records, meta));
  log('wrote bench/results/latest.json, bench/results/meta.json, bench/results/ratios.svg, bench/RESULTS.md');
}
