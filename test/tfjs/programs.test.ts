/**
 * TF.js programs, unchanged but for their import line, on TF.js (tfjs-core + tfjs-layers, CPU backend)
 * and on simdnet/tfjs (issue 18): the same API behaviour (history keys, evaluate's Scalars, dtypes,
 * shapes), accuracy within a stated margin of TF.js's, and the speed ratio reported.
 */
import { describe, expect, it } from 'vitest';
import { digits } from '../helpers/data.js';
import { runProgram } from './helpers.js';

const report = (name: string, tfjsMs: number, oursMs: number) =>
  console.log(
    `${name}: TF.js (cpu) ${tfjsMs.toFixed(0)} ms, simdnet/tfjs ${oursMs.toFixed(0)} ms: ${(tfjsMs / oursMs).toFixed(1)}x`,
  );

describe('TF.js programs on simdnet/tfjs', () => {
  it('digits: dense classifier, callbacks object, evaluate, confusion matrix', async () => {
    const s = digits();
    const data = {
      xTrain: s.xTrain,
      yTrain: s.yTrain.map((r) => r[0]!),
      xTest: s.xTest,
      yTest: s.yTest.map((r) => r[0]!),
    };
    type R = Awaited<ReturnType<typeof import('./programs/digits.js').run>>;
    const theirs = await runProgram<R>('digits', 'tfjs', data);
    const ours = await runProgram<R>('digits', 'simdnet', data);
    report('digits', theirs.ms, ours.ms);
    const a = theirs.result,
      b = ours.result;
    expect(b.historyKeys).toEqual(a.historyKeys);
    expect(b.epochs).toEqual(a.epochs);
    expect(b.predictionsDtype).toBe(a.predictionsDtype);
    expect(b.matrixShape).toEqual(a.matrixShape);
    expect(b.total).toBe(a.total);
    expect(b.weightShapes).toEqual(a.weightShapes);
    // Both learn the digits: ≥ 93% held out, within 3 points of each other; the confusion matrix agrees with evaluate.
    expect(a.acc).toBeGreaterThan(0.93);
    expect(b.acc).toBeGreaterThan(0.93);
    expect(Math.abs(a.acc - b.acc)).toBeLessThan(0.03);
    expect(b.matrixAcc).toBeCloseTo(b.acc, 5);
    expect(a.matrixAcc).toBeCloseTo(a.acc, 5);
  }, 120_000);
});
