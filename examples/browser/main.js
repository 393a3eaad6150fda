// The demo page: starts the training worker, draws the live chart, and turns
// drawings into the model's inputs: the 8×8, 0..16 counts the UCI digits are
// made of, or a 28×28 MNIST image (the digit fitted in a 20×20 box and
// centred by its centre of mass, as MNIST was made).
const $ = (id) => document.getElementById(id);
const kind = () => $('model').value; // 'mlp' | 'cnn'

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let history = [];
let epochsPlanned = 0;
let trained = false; // a model of the selected kind is ready

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

worker.onerror = (e) => setStatus(`The worker failed to start: ${e.message ?? 'see the console'}`, true);
worker.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'ready': {
      const i = m.info;
      $('backend').textContent = `backend: ${i.backend}${i.backend === 'wasm' ? ` (${i.variant})` : ''} · SIMD: ${i.simd ? 'yes' : 'no'}` +
        ` · relaxed SIMD: ${i.relaxedSimd ? 'yes' : 'no'} · shared memory: ${i.sharedMemory ? 'yes' : 'no'} · threads: ${i.threads}` +
        ` · cross-origin isolated: ${m.crossOriginIsolated ? 'yes' : 'no'}${i.reason ? ` · ${i.reason}` : ''}`;
      $('backend').dataset.backend = i.backend;
      $('backend').dataset.threads = String(i.threads);
      $('backend').dataset.sharedMemory = String(i.sharedMemory);
      $('train').disabled = false;
      $('load').disabled = false;
      setStatus(`${m.train} training and ${m.test} test images loaded. Press Train.`);
      break;
    }
    case 'diagnostics':
      showDiagnostics(m.report);
      break;
    case 'status':
      setStatus(m.text);
      break;
    case 'progress':
      $('loss').textContent = m.loss.toFixed(4);
      break;
    case 'epoch':
      history.push(m.logs);
      $('epoch').textContent = `${m.epoch + 1}/${m.epochs}`;
      $('loss').textContent = m.logs.loss.toFixed(4);
      $('val-acc').textContent = `${(m.logs.val_accuracy * 100).toFixed(1)}%`;
      $('val-acc').dataset.value = String(m.logs.val_accuracy);
      drawChart();
      break;
    case 'done':
      trained = true;
      $('train').disabled = false;
      $('save').disabled = false;
      $('load').disabled = false;
      setStatus(`Trained ${m.params?.toLocaleString('en-US') ?? ''} parameters in ${(m.ms / 1000).toFixed(2)} s ` +
        `(${Math.round(m.samplesPerSecond).toLocaleString('en-US')} samples/s). Draw a digit →`);
      document.body.dataset.trained = 'true';
      requestPrediction();
      break;
    case 'prediction':
      showPrediction(m.probs);
      break;
    case 'saved':
      setStatus(`Saved to ${m.url} (${m.bytes.toLocaleString('en-US')} bytes of weights). Reload the page and press Load.`);
      break;
    case 'loaded':
      trained = true;
      $('save').disabled = false;
      $('val-acc').textContent = `${(m.accuracy * 100).toFixed(1)}%`;
      $('val-acc').dataset.value = String(m.accuracy);
      setStatus(`Loaded ${m.url}: test accuracy ${(m.accuracy * 100).toFixed(1)}%.`);
      $('model').value = m.kind;
      setPreview();
      document.body.dataset.trained = 'true';
      requestPrediction();
      break;
    case 'error':
      setStatus(m.message, true);
      $('train').disabled = false;
      break;
  }
};

$('train').onclick = () => {
  const epochs = Math.max(1, Math.min(500, Number($('epochs').value) || 30));
  const hidden = Math.max(4, Math.min(1024, Number($('hidden').value) || 64));
  history = [];
  epochsPlanned = epochs;
  trained = false;
  $('train').disabled = true;
  $('save').disabled = true;
  $('load').disabled = true;
  $('val-acc').dataset.value = '0';
  document.body.dataset.trained = 'false';
  setStatus('Training…');
  drawChart();
  const activation = $('activation').value;
  const depth = Math.max(1, Math.min(16, Number($('depth').value) || 1));
  $('diagnostics').querySelector('tbody').textContent = '';
  $('warnings').textContent = '';
  seenWarnings.clear();
  worker.postMessage({
    type: 'train', kind: kind(), epochs, hidden, activation, depth,
    learningRate: kind() === 'cnn' ? 0.005 : 0.003,
  });
};
$('save').onclick = () => worker.postMessage({ type: 'save' });
$('load').onclick = () => worker.postMessage({ type: 'load', kind: kind() });
/** The preview and the defaults follow the selected model. */
function setPreview() {
  const cnn = kind() === 'cnn';
  $('preview').width = $('preview').height = cnn ? 28 : 8;
  $('preview-label').textContent = `what the model sees (${cnn ? '28×28' : '8×8'})`;
  $('hidden').disabled = cnn;
  requestPrediction();
}
$('model').onchange = () => {
  $('epochs').value = kind() === 'cnn' ? '3' : '30';
  trained = false;
  $('save').disabled = true;
  $('prediction').textContent = '?'; $('prediction').dataset.digit = ''; $('bars').textContent = '';
  document.body.dataset.trained = 'false';
  setStatus(`Press Train to train the ${kind() === 'cnn' ? 'CNN on MNIST' : 'dense network on the UCI digits'}.`);
  setPreview();
};

// ------------------------------------------------------------------ chart
function drawChart() {
  const c = $('chart');
  const dpr = window.devicePixelRatio || 1;
  const W = c.clientWidth || 440, H = c.clientHeight || 240;
  if (c.width !== Math.round(W * dpr)) { c.width = Math.round(W * dpr); c.height = Math.round(H * dpr); }
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, W, H);
  const L = 40, R = 40, T = 22, B = 24, pw = W - L - R, ph = H - T - B;
  const n = Math.max(epochsPlanned, history.length, 2);
  const maxLoss = Math.max(0.5, ...history.flatMap((h) => [h.loss, h.val_loss ?? 0]));
  const x = (i) => L + (pw * i) / (n - 1);
  // Axes and grid.
  g.strokeStyle = '#e3e6ec'; g.lineWidth = 1; g.font = '11px system-ui, sans-serif'; g.fillStyle = '#6b7385';
  for (let k = 0; k <= 4; k++) {
    const y = T + (ph * k) / 4;
    g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();
    g.textAlign = 'right'; g.fillText((maxLoss * (1 - k / 4)).toFixed(2), L - 4, y + 4);
    g.textAlign = 'left'; g.fillText(`${100 - 25 * k}%`, L + pw + 4, y + 4);
  }
  g.textAlign = 'center'; g.fillText('epoch', L + pw / 2, H - 6);
  g.textAlign = 'left'; g.fillText('loss', 4, 12); g.textAlign = 'right'; g.fillText('accuracy', W - 2, 12);
  const series = [
    ['loss', '#3b6fd8', [], (v) => T + ph * (1 - v / maxLoss)],
    ['val_loss', '#3b6fd8', [5, 4], (v) => T + ph * (1 - v / maxLoss)],
    ['accuracy', '#e07b00', [], (v) => T + ph * (1 - v)],
    ['val_accuracy', '#e07b00', [5, 4], (v) => T + ph * (1 - v)],
  ];
  for (const [key, color, dash, y] of series) {
    const pts = history.map((h, i) => [x(i), y(h[key])]).filter(([, v]) => Number.isFinite(v));
    if (pts.length === 0) continue;
    g.strokeStyle = color; g.lineWidth = 2; g.setLineDash(dash);
    g.beginPath(); pts.forEach(([px, py], i) => (i ? g.lineTo(px, py) : g.moveTo(px, py))); g.stroke();
  }
  g.setLineDash([]);
  // Legend, in the middle right (accuracy climbs to the top, loss falls to the bottom).
  const legend = [['train accuracy', '#e07b00', []], ['test accuracy', '#e07b00', [5, 4]], ['train loss', '#3b6fd8', []], ['test loss', '#3b6fd8', [5, 4]]];
  const lx = L + pw * 0.55, ly = T + ph * 0.3;
  legend.forEach(([label, color, dash], k) => {
    const y = ly + k * 15;
    g.strokeStyle = color; g.lineWidth = 2; g.setLineDash(dash); g.beginPath(); g.moveTo(lx, y); g.lineTo(lx + 22, y); g.stroke();
    g.setLineDash([]); g.fillStyle = '#1d2330'; g.textAlign = 'left'; g.fillText(label, lx + 28, y + 4);
  });
}
drawChart();
window.addEventListener('resize', drawChart);

// ------------------------------------------------------------------ drawing pad
// Strokes are kept as points and re-rendered at the data's scale: the UCI
// digits are 32×32 binary images, the digit scaled to fill the height, cut
// into 4×4 blocks whose "on" pixels are counted (0..16).
const pad = $('pad');
const pg = pad.getContext('2d');
let strokes = [];
let drawing = false;

function padPoint(e) {
  const r = pad.getBoundingClientRect();
  return [((e.clientX - r.left) / r.width) * pad.width, ((e.clientY - r.top) / r.height) * pad.height];
}
function renderPad() {
  pg.fillStyle = '#fff'; pg.fillRect(0, 0, pad.width, pad.height);
  pg.strokeStyle = '#1d2330'; pg.lineWidth = 18; pg.lineCap = 'round'; pg.lineJoin = 'round';
  for (const s of strokes) {
    pg.beginPath(); s.forEach(([px, py], i) => (i ? pg.lineTo(px, py) : pg.moveTo(px, py)));
    if (s.length === 1) pg.lineTo(s[0][0] + 0.1, s[0][1]);
    pg.stroke();
  }
}
pad.addEventListener('pointerdown', (e) => { drawing = true; pad.setPointerCapture(e.pointerId); strokes.push([padPoint(e)]); renderPad(); });
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  strokes[strokes.length - 1].push(padPoint(e));
  renderPad();
  requestPrediction();
});
const endStroke = () => { if (drawing) { drawing = false; requestPrediction(); } };
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').onclick = () => {
  strokes = [];
  renderPad();
  showPixels(new Array(kind() === 'cnn' ? 784 : 64).fill(0));
  $('prediction').textContent = '?'; $('prediction').dataset.digit = ''; $('bars').textContent = '';
};
renderPad();

/** The drawing as the data set would have it: 64 counts in 0..16. */
export function toDigitPixels(strokesIn) {
  const pts = strokesIn.flat();
  if (pts.length === 0) return null;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [px, py] of pts) { x0 = Math.min(x0, px); y0 = Math.min(y0, py); x1 = Math.max(x1, px); y1 = Math.max(y1, py); }
  const S = 32, stroke = 3.5; // pen width in the 32×32 image, like the scans
  const inner = S - stroke;
  const scale = inner / Math.max(x1 - x0, y1 - y0, 1);
  const ox = (S - (x1 - x0) * scale) / 2, oy = (S - (y1 - y0) * scale) / 2;
  const c = new OffscreenCanvas(S, S);
  const g = c.getContext('2d', { willReadFrequently: true });
  g.fillStyle = '#fff'; g.fillRect(0, 0, S, S);
  g.strokeStyle = '#000'; g.lineWidth = stroke; g.lineCap = 'round'; g.lineJoin = 'round';
  for (const s of strokesIn) {
    g.beginPath();
    s.forEach(([px, py], i) => { const X = ox + (px - x0) * scale, Y = oy + (py - y0) * scale; if (i) g.lineTo(X, Y); else g.moveTo(X, Y); });
    if (s.length === 1) g.lineTo(ox + (s[0][0] - x0) * scale + 0.1, oy + (s[0][1] - y0) * scale);
    g.stroke();
  }
  const img = g.getImageData(0, 0, S, S).data;
  const out = new Array(64).fill(0);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if (img[(y * S + x) * 4] < 128) out[(y >> 2) * 8 + (x >> 2)]++;
  return out;
}

/**
 * The drawing as MNIST would have it: 784 values in 0..1 (ink = 1), the strokes fitted in a 20×20 box
 * (anti-aliased) and moved so that their centre of mass is the centre of the 28×28 image.
 */
export function toMnistPixels(strokesIn) {
  const pts = strokesIn.flat();
  if (pts.length === 0) return null;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [px, py] of pts) { x0 = Math.min(x0, px); y0 = Math.min(y0, py); x1 = Math.max(x1, px); y1 = Math.max(y1, py); }
  const S = 28, pen = 2.4;
  const scale = (20 - pen) / Math.max(x1 - x0, y1 - y0, 1);
  const render = (dx, dy) => {
    const c = new OffscreenCanvas(S, S);
    const g = c.getContext('2d', { willReadFrequently: true });
    g.fillStyle = '#000'; g.fillRect(0, 0, S, S);
    g.strokeStyle = '#fff'; g.lineWidth = pen; g.lineCap = 'round'; g.lineJoin = 'round';
    for (const s of strokesIn) {
      g.beginPath();
      s.forEach(([px, py], i) => { const X = dx + (px - x0) * scale, Y = dy + (py - y0) * scale; if (i) g.lineTo(X, Y); else g.moveTo(X, Y); });
      if (s.length === 1) g.lineTo(dx + (s[0][0] - x0) * scale + 0.1, dy + (s[0][1] - y0) * scale);
      g.stroke();
    }
    const img = g.getImageData(0, 0, S, S).data;
    return Array.from({ length: S * S }, (_, i) => img[i * 4] / 255);
  };
  const dx = (S - (x1 - x0) * scale) / 2, dy = (S - (y1 - y0) * scale) / 2;
  const first = render(dx, dy);
  let m = 0, mx = 0, my = 0;
  first.forEach((v, i) => { m += v; mx += v * ((i % S) + 0.5); my += v * (Math.floor(i / S) + 0.5); });
  return m > 0 ? render(dx + S / 2 - mx / m, dy + S / 2 - my / m) : first;
}

function showPixels(px) {
  const g = $('preview').getContext('2d');
  const n = px.length === 784 ? 28 : 8, top = n === 28 ? 1 : 16;
  if ($('preview').width !== n) $('preview').width = $('preview').height = n;
  const im = g.createImageData(n, n);
  px.forEach((v, i) => { const c = 255 - Math.round((v / top) * 255); im.data.set([c, c, c, 255], i * 4); });
  g.putImageData(im, 0, 0);
}

let predictQueued = false;
let predictId = 0;
function requestPrediction() {
  if (predictQueued) return;
  predictQueued = true;
  requestAnimationFrame(() => {
    predictQueued = false;
    const px = kind() === 'cnn' ? toMnistPixels(strokes) : toDigitPixels(strokes);
    if (!px) return;
    showPixels(px);
    if (trained) worker.postMessage({ type: 'predict', id: ++predictId, kind: kind(), pixels: px });
  });
}

function showPrediction(probs) {
  let best = 0;
  probs.forEach((p, i) => { if (p > probs[best]) best = i; });
  $('prediction').textContent = String(best);
  $('prediction').dataset.digit = String(best);
  $('prediction').dataset.confidence = String(probs[best]);
  const bars = $('bars');
  bars.textContent = '';
  probs.forEach((p, i) => {
    const d = document.createElement('span'); d.textContent = String(i);
    const b = document.createElement('div'); b.className = 'bar'; b.style.width = `${Math.max(1, p * 100)}%`;
    if (i === best) b.style.background = '#e07b00';
    const t = document.createElement('span'); t.textContent = `${(p * 100).toFixed(1)}%`;
    bars.append(d, b, t);
  });
}

// For the end-to-end test and the curious: the current drawing as model input.
window.simdnetDemo = { pixels: () => (kind() === 'cnn' ? toMnistPixels(strokes) : toDigitPixels(strokes)) };

/** The diagnostics callback's report: each layer's gradient norm (a log-scale bar) and dead units; warnings. */
const seenWarnings = new Set();
function showDiagnostics(report) {
  const body = $('diagnostics').querySelector('tbody');
  body.textContent = '';
  for (const l of report.layers) {
    const tr = document.createElement('tr');
    tr.dataset.layer = l.name;
    tr.dataset.gradNorm = String(l.gradNorm);
    // 1e-10 → no bar, 1 → full width.
    const w = Math.max(0, Math.min(1, (Math.log10(Math.max(l.gradNorm, 1e-12)) + 10) / 10)) * 120;
    const dead = l.deadFraction === null ? '–' : `${Math.round(l.deadFraction * 100)}%`;
    for (const text of [l.name, l.gradNorm.toExponential(1), '', dead]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${w.toFixed(0)}px`;
    tr.children[2].appendChild(bar);
    body.appendChild(tr);
  }
  for (const w of report.warnings) {
    const key = w.split(':')[0] + w.match(/'[^']*'/)?.[0];
    if (seenWarnings.has(key)) continue;
    seenWarnings.add(key);
    const li = document.createElement('li');
    li.textContent = w;
    $('warnings').appendChild(li);
  }
}
