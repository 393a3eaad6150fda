/**
 * `simdnet summary DIR`: the model's layer table and what its preprocessing
 * expects (columns, target, task, classes, scaling).
 */
import { inputWidth } from '../preprocess.js';
import { listForMessage } from '../util.js';
import { loadModelDir, parseCommandArgs, positionals } from './common.js';

export const summaryHelp = `Usage: simdnet summary DIR

Print the layers of a model directory written by simdnet train, and the data
it expects: feature columns (and how categorical ones are one-hot encoded),
ignored columns, target, task, classes and scaling.
`;

const options = { help: { type: 'boolean', short: 'h' } } as const;

export async function summary(args: string[]): Promise<number> {
  const { values: v, positionals: pos } = parseCommandArgs('summary', args, options);
  if (v.help) {
    process.stdout.write(summaryHelp);
    return 0;
  }
  const [dir] = positionals('summary', pos, ['DIR']);
  const { model, prep: p } = await loadModelDir(dir);
  model.summary({ print: (line) => process.stdout.write(`${line}\n`) });
  const lines = [
    '',
    `Task: ${p.task}${p.classes ? ` (${p.classes.length} classes: ${listForMessage(p.classes, 20)})` : ''}`,
    `Target: '${p.target}'; loss ${p.loss}; output ${p.outputUnits} ${p.outputActivation} unit${p.outputUnits === 1 ? '' : 's'}`,
    `Features (${p.features.length}, ${p.header ? 'matched by header name' : 'by position, no header'}): ${listForMessage(p.features, 40)}`,
  ];
  if (p.ignored.length > 0) lines.push(`Ignored columns: ${listForMessage(p.ignored, 40)}`);
  if (p.categorical.length > 0) {
    lines.push(
      `Categorical columns, one-hot encoded (${inputWidth(p)} model inputs in all; an unseen category is all zeros):`,
    );
    for (const c of p.categorical) {
      lines.push(
        `  ${c.column} → ${c.categories.length} input${c.categories.length === 1 ? '' : 's'}: ${listForMessage(
          c.categories.map((v) => `${c.column}=${v}`),
          20,
        )}${c.mostFrequent !== null ? `; empty cells filled with '${c.mostFrequent}'` : ''}`,
      );
    }
  }
  const numeric = p.features.length - p.categorical.length;
  lines.push(
    `Standardized: ${p.standardize ? `yes${p.categorical.length > 0 ? ` (the ${numeric} numeric feature${numeric === 1 ? '' : 's'})` : ''}` : 'no'}${p.targetStd !== null ? ' (target too)' : ''}`,
    `Empty cells: ${p.impute ? `filled with the training ${p.impute}${p.categorical.length > 0 ? ' (categorical: the most frequent category)' : ''}` : 'refused'}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
