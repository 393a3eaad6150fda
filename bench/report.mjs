// Reporting: the machine, the stdout table, bench/RESULTS.md and bench/results/ratios.svg.
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import os from 'node:os';
import { PEERS, SUBJECTS } from './contenders/index.mjs';
import { TARGETS, evaluateTargets, fmtNum, fmtRatio, speedup } from './targets.mjs';

export function machineInfo() {
  let cpu = os.cpus()[0]?.model ?? 'unknown',
    flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() ?? cpu;
    flags = /^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '';
  } catch {
    /* not Linux */
  }
  const has = (f) => flags.split(/\s+/).includes(f);
  const simd = ['avx512f', 'avx2', 'fma', 'sse4_2'].filter(has);
  let commit = null;
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    // dist/ is built from the working tree: say so when the library's sources differ from the commit.
    const dirty = execSync('git status --porcelain -- src assembly', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    if (dirty) commit += ` (plus uncommitted changes to ${dirty.split('\n').length} files in src/ and assembly/)`;
  } catch {
    /* not a checkout */
  }
  return {
    date: new Date().toISOString(),
    cpu,
    cpuFlags: simd,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadStart: os.loadavg().map((x) => x.toFixed(2)),
    commit,
  };
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

/** A case's lines on stdout, as soon as it is measured. */
export function printCase(kase, recs, seconds) {
  const lines = [`\n${kase.case}  ${kase.unit}, ${kase.higherIsBetter ? 'higher' : 'lower'} is better  (${seconds} s)`];
  for (const r of recs) {
    lines.push(
      `  ${pad(r.contender, 22)}${lpad(fmtNum(r.median), 10)}  ${lpad(`${fmtNum(r.min)}–${fmtNum(r.max)}`, 19)}  ${lpad(r.samples, 2)} runs`,
    );
  }
  for (const s of SUBJECTS) {
    const me = recs.find((r) => r.contender === s);
    if (!me) continue;
    const parts = PEERS.map((p) => recs.find((r) => r.contender === p))
      .filter(Boolean)
      .map((p) => `${p.contender} ${fmtRatio(speedup(me.median, p.median, me.higherIsBetter))}`);
    if (parts.length) lines.push(`  ${s} is: ${parts.join(', ')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function ratioTable(records, subject) {
  const cases = [...new Set(records.map((r) => r.case))];
  const peers = PEERS.filter((p) => records.some((r) => r.contender === p));
  const rows = [];
  for (const c of cases) {
    const me = records.find((r) => r.case === c && r.contender === subject);
    if (!me) continue;
    rows.push([
      c,
      `${fmtNum(me.median)} ${me.unit}`,
      ...peers.map((p) => {
        const o = records.find((r) => r.case === c && r.contender === p);
        return o ? fmtRatio(speedup(me.median, o.median, me.higherIsBetter)) : '—';
      }),
    ]);
  }
  return { header: ['case', subject, ...peers.map((p) => `vs ${p}`)], rows };
}

/** The closing summary on stdout: ratios and targets. */
export function printSummary(records) {
  const out = [];
  for (const s of SUBJECTS) {
    const { header, rows } = ratioTable(records, s);
    if (!rows.length) continue;
    const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    out.push(`\n${s}: how many times faster than each peer (medians)`);
    out.push('  ' + header.map((h, i) => (i ? lpad(h, w[i]) : pad(h, w[i]))).join('  '));
    for (const r of rows) out.push('  ' + r.map((x, i) => (i ? lpad(x, w[i]) : pad(x, w[i]))).join('  '));
  }
  const ev = evaluateTargets(records).filter((e) => e.met !== null);
  if (ev.length) {
    out.push('\ntargets (simdnet-wasm):');
    for (const e of ev)
      out.push(`  ${e.met ? 'met ' : 'MISS'}  ${pad(e.text, 48)} measured ${e.measured}  (issue ${e.target.issue})`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

const mdRow = (cells) => `| ${cells.join(' | ')} |`;
const mdHead = (cells, align) => `${mdRow(cells)}\n| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`;

export function writeMarkdown(records, meta) {
  const L = [];
  const suites = [...new Set(records.map((r) => r.suite))];
  L.push('# Benchmarks: simdnet side by side with pure JS, TensorFlow.js and brain.js');
  L.push('');
  L.push('Written by `npm run bench` (the full run); do not edit by hand. Reproduce with');
  L.push('`npm ci && npm run bench` (about 15–20 minutes here), or `npm run bench -- --quick --json FILE` for a');
  L.push('short run (under 4 minutes) that writes the same records to FILE only. Raw records:');
  L.push('[`results/latest.json`](results/latest.json); run details: [`results/meta.json`](results/meta.json); chart:');
  L.push('[`results/ratios.svg`](results/ratios.svg).');
  L.push('');
  L.push('## Machine');
  L.push('');
  L.push(
    `- CPU: ${meta.cpu} (${meta.cpuFlags.join(', ') || 'flags unknown'}), ${meta.cores} cores as the OS reports them, ${meta.memoryGiB} GiB; ${meta.platform}`,
  );
  L.push(`- Node ${meta.node} (V8 ${meta.v8}); commit ${meta.commit ?? 'unknown'}; ${meta.date}`);
  L.push(
    `- Load average (1/5/15 min) ${meta.loadStart.join(' / ')} at the start, ${meta.loadEnd.join(' / ')} at the end; the run took ${meta.seconds} s. The machine is shared: figures drift by tens of percent between runs, so compare within one run.`,
  );
  const multi = Object.entries(meta.contenders)
    .filter(([, i]) => (i.threads ?? 1) > 1)
    .map(([n]) => n);
  L.push(
    `- Every row runs on one thread${multi.length ? ` except ${multi.join(', ')}` : ''}; tfjs-wasm runs its one-thread SIMD binary (its threaded build is off in Node). The targets are for one thread: they are checked against simdnet-wasm.`,
  );
  L.push('');
  L.push('## Contenders');
  L.push('');
  for (const [name, info] of Object.entries(meta.contenders)) {
    const { about, library: _library, ...rest } = info;
    const detail = Object.entries(rest)
      .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
    L.push(`- **${name}**: ${about}.${detail ? ` (${detail})` : ''}`);
  }
  L.push('');
  L.push('## How it is measured');
  L.push('');
  L.push(
    '- The built package (`dist/index.js`) is imported as a user would. Each contender runs in a child Node process of its own; only one works at a time.',
  );
  L.push(
    "- Within each case the contenders take turns, round after round (A B C … A B C …), so drift on the shared machine hits them all. A round is one tinybench run for a short time budget (at least one iteration); its median latency gives the round's figure. Before the first round each contender makes one untimed call and, unless that took long, a tinybench warm-up.",
  );
  L.push(
    `- Reported: the median over rounds ("runs", up to ${meta.rounds}; fewer for contenders that take seconds per iteration), with the min and max over rounds.`,
  );
  L.push(
    '- A target that compares one case with another (diagnostics against plain training, fitDataset against fit, A·Bᵀ and Aᵀ·B against A·B) runs the two cases as one group: in each round, each contender runs both cases back to back, and the ratio reported is the median of the per-round ratios, so both sides see the same phase of the machine (measured separately, minutes apart, such ratios swung from 0.54× to 0.97× between runs of unchanged code).',
  );
  L.push(
    '- Same data for everyone, generated from one seed in each process (MNIST images from `examples/data/mnist`), float32 everywhere.',
  );
  L.push(
    "- GEMM: C = op(A)·op(B) on square n×n float32 matrices (2n³ flop). simdnet calls its backend's `gemm` kernel directly on buffers preallocated in its kernel memory, as training does (`simdnet-wasm:matMul` is the public `sn.matMul` op, which copies operands in and the result out every call). TF.js runs `tf.matMul(a, b, transposeA, transposeB)` then `dataSync()`, on tensors made outside the timed loop, disposing the result. Each contender's Σ C is checked against an exact float64 value.",
  );
  L.push(
    "- Training: `model.fit(x, y, { epochs, batchSize })` on tensors made outside the timed call, Adam with default settings, glorot-uniform weights, `metrics: ['accuracy']`, shuffling on (each library's default), no console output. train-seed is the founding example (8 → 10 relu → 8 relu → 1 sigmoid, mse, 1,000 random samples, 10 epochs, batch 32), timed per whole fit; the MNIST models are timed over one epoch of the first MNIST images and reported in samples/s.",
  );
  L.push(
    '- brain.js trains the founding model with its own algorithm (per-sample SGD with momentum, sigmoid activations, its defaults), on the same data as plain arrays, for the same 10 epochs: it does different arithmetic, so its row compares time, not equal work.',
  );
  L.push('- Prediction: the 784 → 128 → 10 model, `predict(x, { batchSize })` then `dataSync()` on the result.');
  L.push('');

  const ev = evaluateTargets(records);
  const evPlain = evaluateTargets(records, 'simdnet-wasm-simd');
  L.push('## Targets (from issues 2, 3 and 4), checked against simdnet-wasm');
  L.push('');
  L.push(mdHead(['target', 'issue', 'simdnet-wasm', 'met?', 'simdnet-wasm-simd'], ['l', 'l', 'r', 'l', 'r']));
  for (let i = 0; i < ev.length; i++) {
    const e = ev[i],
      er = evPlain[i];
    L.push(
      mdRow([
        e.text,
        String(e.target.issue),
        e.measured ?? 'not measured',
        e.met === null ? '—' : e.met ? 'yes' : '**no**',
        er.measured ? `${er.measured}${er.met ? '' : ' (miss)'}` : '—',
      ]),
    );
  }
  L.push('');
  const misses = ev.filter((e) => e.met === false);
  if (misses.length) {
    L.push(
      `**Where simdnet falls short** (${misses.length} of ${ev.filter((e) => e.met !== null).length} targets missed in this run): ` +
        misses.map((e) => `${e.text} — measured ${e.measured}`).join('; ') +
        '.',
    );
  } else {
    L.push('Every measured target was met in this run.');
  }
  L.push('');

  L.push('## Headline: how many times faster simdnet-wasm is than each peer (medians)');
  L.push('');
  for (const s of SUBJECTS) {
    const { header, rows } = ratioTable(records, s);
    if (!rows.length) continue;
    if (s !== 'simdnet-wasm') {
      L.push(`The same for ${s}:`);
      L.push('');
    }
    L.push(
      mdHead(
        header,
        header.map((_, i) => (i ? 'r' : 'l')),
      ),
    );
    for (const r of rows) L.push(mdRow(r));
    L.push('');
  }
  L.push("A ratio above 1× means simdnet is faster; for the ms and µs cases it is the peer's time over simdnet's.");
  L.push('');
  L.push('![ratios](results/ratios.svg)');
  L.push('');

  for (const suite of suites) {
    L.push(`## ${suite}`);
    L.push('');
    const recs = records.filter((r) => r.suite === suite);
    const subjects = SUBJECTS.filter((s) => recs.some((r) => r.contender === s));
    L.push(
      mdHead(
        ['case', 'contender', 'median', 'min–max', 'runs', ...subjects.map((s) => `${s} ×`)],
        ['l', 'l', 'r', 'r', 'r', ...subjects.map(() => 'r')],
      ),
    );
    for (const c of [...new Set(recs.map((r) => r.case))]) {
      const inCase = recs.filter((r) => r.case === c);
      const sub = Object.fromEntries(SUBJECTS.map((s) => [s, inCase.find((r) => r.contender === s)]));
      for (const r of inCase) {
        const ratio = (s) =>
          PEERS.includes(r.contender) && sub[s] ? fmtRatio(speedup(sub[s].median, r.median, r.higherIsBetter)) : '';
        L.push(
          mdRow([
            c,
            r.contender,
            `${fmtNum(r.median)} ${r.unit}`,
            `${fmtNum(r.min)}–${fmtNum(r.max)}`,
            String(r.samples),
            ...subjects.map(ratio),
          ]),
        );
      }
    }
    L.push('');
    L.push('The × columns: how many times faster that simdnet row is than the peer on the row.');
    L.push('');
  }
  if (meta.notes?.length) {
    L.push('## Notes from the run');
    L.push('');
    for (const n of meta.notes) L.push(`- ${n}`);
    L.push('');
  }
  // Records say `us`; people read µs.
  return L.join('\n').replace(/(\d) us\b/g, '$1 µs') + '\n';
}

const COLORS = { 'simdnet-js': '#8c6d31', 'tfjs-cpu': '#e6550d', 'tfjs-wasm': '#3182bd', brainjs: '#31a354' };

/** Horizontal bars, log scale: simdnet-wasm's speed-up over each peer, per case, with target marks. */
export function writeSvg(records, subject = 'simdnet-wasm') {
  const cases = [...new Set(records.map((r) => r.case))].filter((c) =>
    records.some((r) => r.case === c && r.contender === subject),
  );
  const bars = [];
  for (const c of cases) {
    const me = records.find((r) => r.case === c && r.contender === subject);
    for (const p of PEERS) {
      const o = records.find((r) => r.case === c && r.contender === p);
      if (!o) continue;
      const t = TARGETS.find((t) => t.case === c && t.peer === p);
      bars.push({ c, p, x: speedup(me.median, o.median, me.higherIsBetter), target: t?.ratio });
    }
  }
  const xs = bars.map((b) => b.x).filter((x) => x > 0);
  const lo = Math.min(0.5, ...xs.map((x) => x / 1.5)),
    hi = Math.max(50, ...xs.map((x) => x * 1.5), ...bars.map((b) => (b.target ?? 1) * 1.2));
  const decLo = Math.floor(Math.log10(lo)),
    decHi = Math.ceil(Math.log10(hi));
  const left = 150,
    right = 30,
    width = 820,
    barH = 11,
    gap = 9,
    top = 56;
  const plotW = width - left - right;
  const X = (v) => left + ((Math.log10(v) - decLo) / (decHi - decLo)) * plotW;
  let y = top;
  const body = [];
  for (const c of cases) {
    const bs = bars.filter((b) => b.c === c);
    if (!bs.length) continue;
    const y0 = y;
    for (const b of bs) {
      const x1 = X(1),
        x2 = X(Math.max(b.x, 10 ** decLo));
      const miss = b.target !== undefined && !(b.x >= b.target);
      body.push(
        `<rect x="${Math.min(x1, x2).toFixed(1)}" y="${y}" width="${Math.abs(x2 - x1).toFixed(1)}" height="${barH}" fill="${COLORS[b.p]}"${miss ? ' fill-opacity="0.55"' : ''}><title>${c}: ${fmtRatio(b.x)} ${b.p}</title></rect>`,
      );
      body.push(
        `<text x="${(Math.max(x1, x2) + 4).toFixed(1)}" y="${y + barH - 2}" font-size="10">${fmtRatio(b.x)}</text>`,
      );
      if (b.target !== undefined) {
        const tx = X(b.target);
        body.push(
          `<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${y - 2}" y2="${y + barH + 2}" stroke="#d62728" stroke-width="2"><title>target ${b.target}× ${b.p}</title></line>`,
        );
      }
      y += barH + 2;
    }
    body.push(
      `<text x="${left - 8}" y="${((y0 + y) / 2 + 3).toFixed(1)}" font-size="11" text-anchor="end">${c}</text>`,
    );
    y += gap;
  }
  const height = y + 40;
  const grid = [];
  for (let d = decLo; d <= decHi; d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      if (v > 10 ** decHi) break;
      const gx = X(v).toFixed(1);
      grid.push(`<line x1="${gx}" x2="${gx}" y1="${top - 6}" y2="${y}" stroke="${m === 1 ? '#bbb' : '#eee'}"/>`);
      if (m === 1 || decHi - decLo <= 3)
        grid.push(
          `<text x="${gx}" y="${y + 14}" font-size="10" text-anchor="middle">${v >= 1 ? v : v.toPrecision(1)}×</text>`,
        );
    }
  }
  const x1 = X(1).toFixed(1);
  const legend = Object.entries(COLORS)
    .filter(([p]) => bars.some((b) => b.p === p))
    .map(
      ([p, col], i) =>
        `<rect x="${left + i * 130}" y="${height - 18}" width="10" height="10" fill="${col}"/><text x="${left + i * 130 + 14}" y="${height - 9}" font-size="11">vs ${p}</text>`,
    );
  legend.push(
    `<line x1="${left + legend.length * 130}" x2="${left + legend.length * 130}" y1="${height - 20}" y2="${height - 6}" stroke="#d62728" stroke-width="2"/><text x="${left + legend.length * 130 + 6}" y="${height - 9}" font-size="11">target (pale bar: missed)</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="22" font-size="14" font-weight="bold">How many times faster ${subject} is than each peer (median, log scale)</text>
<text x="${left}" y="40" font-size="11" fill="#555">right of 1× = simdnet faster; ms/µs cases: peer time ÷ simdnet time</text>
${grid.join('\n')}
<line x1="${x1}" x2="${x1}" y1="${top - 6}" y2="${y}" stroke="#333" stroke-width="1.5"/>
${body.join('\n')}
${legend.join('\n')}
</svg>
`;
}
