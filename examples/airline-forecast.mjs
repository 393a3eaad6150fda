// Forecasting a real series with a sliding window (`npm run forecast`) — the
// job brain.js's LSTMTimeStep is chosen for, done the Keras way: the monthly
// totals of international airline passengers, 1949–1960 (Box & Jenkins'
// series G, examples/data/PROVENANCE.md). An LSTM reads the last 12 monthly
// changes (log-returns, scaled by the training years' spread) and predicts the
// next one. It trains on 1949–1958 (the last year of those held for early
// stopping) and forecasts 1959–1960 two ways: one month ahead from the real
// past, and all 24 months from December 1958 on, each prediction fed back as
// input (the generation loop). Both are scored against the seasonal naive
// forecast (the same month a year before) and drawn to an SVG chart.
//
// SIMDNET_FORECAST_OUT changes where the chart is written (default:
// examples/output/airline-forecast.svg).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sn from '../dist/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = process.env.SIMDNET_FORECAST_OUT ?? join(here, 'output', 'airline-forecast.svg');

// ---- the series: "Month,Passengers" rows, thousands of passengers per month
const rows = readFileSync(join(here, 'data', 'airline-passengers.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','));
const months = rows.map((r) => r[0]);
const y = rows.map((r) => Number(r[1]));
const W = 12, // the window: a year of monthly changes
  nTest = 24,
  split = y.length - nTest; // first forecast month: 1959-01

// ---- the Keras way for a trending, seasonal series: model the changes, not the levels. d[t] = log y[t] − log y[t−1],
// standardized with the training months' mean and spread (nothing from the forecast years leaks in).
const d = y.map((v, t) => (t === 0 ? 0 : Math.log(v) - Math.log(y[t - 1])));
const trainD = d.slice(1, split);
const mu = trainD.reduce((a, b) => a + b, 0) / trainD.length;
const sd = Math.sqrt(trainD.reduce((a, b) => a + (b - mu) ** 2, 0) / trainD.length);
const z = d.map((v) => (v - mu) / sd);
// Window ending before month t → z[t], for every month t with W changes before it.
const windows = (from, to) => {
  const xs = [],
    ys = [];
  for (let t = from; t < to; t++) {
    xs.push(z.slice(t - W, t).map((v) => [v]));
    ys.push([z[t]]);
  }
  return { xs, ys };
};
const train = windows(W + 1, split);

// ---- the model
sn.setSeed(11);
const model = sn.sequential([
  sn.layers.input({ shape: [W, 1] }),
  sn.layers.lstm({ units: 32 }),
  sn.layers.dense({ units: 1 }),
]);
model.compile({ optimizer: sn.optimizers.adam({ learningRate: 0.005 }), loss: 'mse' });
model.summary();
console.log(
  `Airline passengers ${months[0]} – ${months[months.length - 1]}: ${train.xs.length} training windows of ${W} months (to ${months[split - 1]}), forecasting ${months[split]} – ${months[months.length - 1]}.`,
);

// ---- train: the last 12 training windows (1958) held for early stopping; not shuffled across that boundary
const t0 = performance.now();
const history = await model.fit(train.xs, train.ys, {
  epochs: 300,
  batchSize: 16,
  seed: 3,
  validationSplit: 12 / train.xs.length,
  verbose: 0,
  callbacks: [
    sn.callbacks.earlyStopping({ monitor: 'val_loss', patience: 40, restoreBestWeights: true }),
    {
      onEpochEnd: (e, logs) => {
        if ((e + 1) % 25 === 0)
          console.log(`epoch ${e + 1}: loss ${logs.loss.toFixed(4)}, val_loss ${logs.val_loss.toFixed(4)}`);
      },
    },
  ],
});
const seconds = (performance.now() - t0) / 1000;
console.log(`Trained ${history.epoch.length} epochs in ${seconds.toFixed(1)} s.`);

// ---- forecasts for 1959–1960
const toLevel = (prev, zHat) => prev * Math.exp(zHat * sd + mu);
const predictZ = (win) => model.predict([win.map((v) => [v])]).values[0];
// One month ahead: the real past up to the month before.
const oneStep = [];
for (let t = split; t < y.length; t++) oneStep.push(toLevel(y[t - 1], predictZ(z.slice(t - W, t))));
// The generation loop: from December 1958 on, each forecast change becomes input for the next month.
const recursive = [],
  zPath = z.slice(0, split);
let level = y[split - 1];
for (let t = split; t < y.length; t++) {
  const zHat = predictZ(zPath.slice(t - W, t));
  zPath.push(zHat);
  level = toLevel(level, zHat);
  recursive.push(level);
}
const seasonalNaive = y.slice(split - 12, y.length - 12);
const actual = y.slice(split);
const score = (f) => ({
  mape: (100 * f.reduce((a, v, i) => a + Math.abs(v - actual[i]) / actual[i], 0)) / f.length,
  rmse: Math.sqrt(f.reduce((a, v, i) => a + (v - actual[i]) ** 2, 0) / f.length),
});
const table = [
  ['LSTM, one month ahead', score(oneStep)],
  ['LSTM, 24 months fed back', score(recursive)],
  ['seasonal naive (a year before)', score(seasonalNaive)],
];
console.log(`\nForecasts of ${months[split]} – ${months[months.length - 1]} (${nTest} months):`);
for (const [name, s] of table)
  console.log(`  ${name.padEnd(32)} MAPE ${s.mape.toFixed(2)}%   RMSE ${s.rmse.toFixed(1)} thousand`);

// ---- the chart: the series, and both forecasts over the held-out years
const svg = chart(
  months,
  [
    { name: 'passengers (thousands)', values: y, color: '#222' },
    { name: 'LSTM, one month ahead', values: [...Array(split).fill(null), ...oneStep], color: '#1f77b4' },
    { name: 'LSTM, 24 months fed back', values: [...Array(split).fill(null), ...recursive], color: '#d62728' },
    { name: 'seasonal naive', values: [...Array(split).fill(null), ...seasonalNaive], color: '#999', dash: true },
  ],
  { title: 'International airline passengers, 1949–1960: forecasts of 1959–1960', split },
);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, svg);
console.log(`\nChart written to ${out}`);
await sn.shutdown();

/** A line chart as SVG: one polyline per series (null values leave gaps), a month axis, a legend. */
function chart(labels, series, { title, split, width = 900, height = 420 }) {
  const L = 60,
    R = 20,
    T = 40,
    B = 50;
  const all = series.flatMap((s) => s.values.filter((v) => v !== null));
  const lo = Math.floor(Math.min(...all) / 100) * 100,
    hi = Math.ceil(Math.max(...all) / 100) * 100;
  const X = (i) => L + (i / (labels.length - 1)) * (width - L - R);
  const Y = (v) => T + (1 - (v - lo) / (hi - lo)) * (height - T - B);
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    `<rect x="${X(split)}" y="${T}" width="${X(labels.length - 1) - X(split)}" height="${height - T - B}" fill="#f3f3f3"/>`,
  ];
  for (let v = lo; v <= hi; v += 100)
    parts.push(
      `<line x1="${L}" x2="${width - R}" y1="${Y(v)}" y2="${Y(v)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${Y(v) + 4}" text-anchor="end">${v}</text>`,
    );
  for (let i = 0; i < labels.length; i += 12)
    parts.push(`<text x="${X(i)}" y="${height - B + 18}" text-anchor="middle">${labels[i].slice(0, 4)}</text>`);
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => (v === null ? null : `${X(i).toFixed(1)},${Y(v).toFixed(1)}`)).filter(Boolean);
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${s.dash ? ' stroke-dasharray="4 3"' : ''} points="${pts.join(' ')}"><title>${esc(s.name)}</title></polyline>`,
      `<line x1="${L + 10}" x2="${L + 34}" y1="${T + 12 + 16 * k}" y2="${T + 12 + 16 * k}" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<text x="${L + 40}" y="${T + 16 + 16 * k}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
