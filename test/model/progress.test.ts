/**
 * fit's progress output, printed by a ProgbarLogger callback that fit adds after
 * every other callback (Keras's order): what verbose 0, 1 and 2 print, and that
 * the epoch line carries what the other callbacks put into the epoch's logs.
 */
import { describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';

function model() {
  sn.setSeed(3);
  const m = sn.sequential([
    sn.layers.dense({ units: 4, inputDim: 3, activation: 'relu' }),
    sn.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({ loss: 'binary_crossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  return m;
}
const x = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 7) / 7]);
const y = x.map((r) => [r[0]! > 0 ? 1 : 0]);

async function run(verbose: number, extra: sn.callbacks.CustomCallback[] = []) {
  const lines: { line: string; sameLine: boolean }[] = [];
  await model().fit(x, y, {
    epochs: 2,
    batchSize: 4,
    verbose,
    validationSplit: 0.25,
    seed: 1,
    yieldEvery: -1,
    print: (line, sameLine) => lines.push({ line, sameLine }),
    callbacks: extra,
  });
  return lines;
}

describe('progress output', () => {
  it('verbose 1: "Epoch i/n", the bar redrawn in place, the epoch line with validation logs, then the total', async () => {
    const lines = await run(1);
    const final = lines.filter((l) => !l.sameLine).map((l) => l.line);
    expect(final[0]).toBe('Epoch 1/2');
    expect(final[1]).toMatch(
      /^8\/8 ━{30} \S+ \S+\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$/,
    );
    expect(final[2]).toBe('Epoch 2/2');
    expect(final[4]).toMatch(/^Trained 30 samples in \S+$/);
    expect(final).toHaveLength(5);
    // In-place redraws show the running loss and metrics, never the batch index or size.
    for (const l of lines.filter((e) => e.sameLine))
      expect(l.line).toMatch(/^[ \d]\/8 [━ ]{30} ETA \S+ - loss: \S+ - accuracy: \S+$|^\d\/8 ━{30} /);
  });

  it('verbose 2: one line per epoch, nothing redrawn; verbose 0: nothing', async () => {
    const lines = await run(2);
    expect(lines.every((l) => !l.sameLine)).toBe(true);
    expect(lines.map((l) => l.line.split(' ')[0])).toEqual(['Epoch', '8/8', 'Epoch', '8/8', 'Trained']);
    expect(await run(0)).toEqual([]);
  });

  it('runs after the other callbacks: a key another callback adds to the epoch logs is on the epoch line', async () => {
    const tag = {
      onEpochEnd: (_e: number, logs?: sn.callbacks.Logs) => {
        logs!.custom = 42;
      },
    };
    const lines = (await run(2, [tag])).map((l) => l.line);
    expect(lines[1]).toMatch(/ - custom: 42\.0000$/);
  });
});
