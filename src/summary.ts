/**
 * `model.summary()`: Keras's table of layers, output shapes and parameter
 * counts. Its own module, so the model keeps to placing, planning and stepping.
 */
import { invalid } from './errors.js';
import { type Layer, OutputSlice } from './layers.js';
import { type Program, nodesByLayer } from './engine/graph.js';

export interface SummaryArgs {
  /** true (default) prints with console.log, false prints nothing, a function receives each line. */
  print?: boolean | ((line: string) => void);
  /** Total width of the table (default 72; at least 40), as Keras's `line_length`. */
  lineLength?: number;
}

/** Column widths: layer (type) | output shape | param #, in proportion 34 : 26 : 12 of the width. */
function columns(width: number): [number, number, number] {
  const a = Math.floor((width * 34) / 72),
    b = Math.floor((width * 60) / 72);
  return [a, b - a, width - b];
}

/**
 * Four columns for a functional model: layer | output shape | param # | connected to, in proportion 29 : 20 : 9 : 40.
 */
function columns4(width: number): [number, number, number, number] {
  const a = Math.floor((width * 29) / 98),
    b = Math.floor((width * 49) / 98),
    c = Math.floor((width * 58) / 98);
  return [a, b - a, c - b, width - c];
}

/**
 * The summary of a built model's layers, printed as `args.print` says; returns
 * the text. With a functional model's program, a "Connected to" column names
 * each layer's inputs as Keras does (`dense[0][0]`: layer, node, tensor).
 */
export function summarize(
  name: string,
  layers: readonly Layer[],
  args: SummaryArgs = {},
  program: Program | null = null,
): string {
  const width = args.lineLength ?? (program ? 98 : 72);
  if (!Number.isInteger(width) || width < 40) invalid('lineLength', 'an integer of at least 40', args.lineLength);
  const p = args.print ?? true;
  if (typeof p !== 'boolean' && typeof p !== 'function')
    invalid('print', 'a boolean or a function of one line', args.print);
  const lines = [`Model: "${name}"`, '─'.repeat(width)];
  const shape = (l: Layer) =>
    l.outputCount() > 1
      ? l
          .outputShapesFor(l.inputShapes())
          .map((s) => `(None, ${s.join(', ')})`)
          .join(', ')
      : `(None, ${l.outputShape!.join(', ')})`;
  if (!program) {
    const cols = columns(width);
    const row = (a: string, b: string, c: string) => a.padEnd(cols[0]) + b.padEnd(cols[1]) + c.padStart(cols[2]);
    lines.push(row('Layer (type)', 'Output Shape', 'Param #'), '═'.repeat(width));
    for (const l of layers)
      lines.push(row(`${l.name} (${l.className})`, shape(l), l.countParams().toLocaleString('en-US')));
  } else {
    const cols = columns4(width);
    const row = (a: string, b: string, c: string, d: string) =>
      (a.padEnd(cols[0]) + b.padEnd(cols[1]) + c.padStart(cols[2] - 1) + ' ' + d).trimEnd();
    lines.push(row('Layer (type)', 'Output Shape', 'Param #', 'Connected to'), '═'.repeat(width));
    const nodes = nodesByLayer(program);
    for (const l of layers) {
      const refs = (nodes.get(l) ?? []).flatMap((n) =>
        n.inputs.map((t) => {
          const s = t.sourceLayer;
          if (s instanceof OutputSlice)
            return `${s.source.name}[${nodes.get(s.source)!.indexOf(t.node.inputs[0]!.node)}][${s.index}]`;
          return `${s.name}[${nodes.get(s)!.indexOf(t.node)}][0]`;
        }),
      );
      const first = refs.length > 0 ? refs[0]! : '-';
      lines.push(row(`${l.name} (${l.className})`, shape(l), l.countParams().toLocaleString('en-US'), first));
      for (const r of refs.slice(1)) lines.push(row('', '', '', r));
    }
  }
  lines.push('═'.repeat(width));
  const all = layers.reduce((a, l) => a + l.countParams(), 0);
  const trainable = layers
    .filter((l) => l.trainable)
    .flatMap((l) => l.weights.filter((w) => w.trainable))
    .reduce((a, w) => a + w.size, 0);
  const bytes = (k: number) => (k * 4 < 1024 ? `${k * 4} B` : `${((k * 4) / 1024).toFixed(2)} KB`);
  lines.push(` Total params: ${all.toLocaleString('en-US')} (${bytes(all)})`);
  lines.push(` Trainable params: ${trainable.toLocaleString('en-US')} (${bytes(trainable)})`);
  lines.push(` Non-trainable params: ${(all - trainable).toLocaleString('en-US')} (${bytes(all - trainable)})`);
  const text = lines.join('\n');
  if (typeof p === 'function') for (const l of lines) p(l);
  else if (p) console.log(text);
  return text;
}
