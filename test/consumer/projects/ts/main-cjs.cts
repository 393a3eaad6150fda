// A strict TypeScript user compiling to CommonJS: `import = require()`.
import sn = require('simdnet');

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function check<T extends true>(): void { /* types only */ }

const model = sn.sequential([sn.layers.dense({ units: 1, inputDim: 2, kernelInitializer: 'ones' })]);
model.compile({ optimizer: 'sgd', loss: 'mse' });
const y = model.predict([[1, 2], [3, 4]]);
check<Equal<typeof y, sn.Tensor>>();
function probe(): void {
  // @ts-expect-error a Tensor, not any
  y.notAMethod();
}
void probe;

async function main(): Promise<void> {
  const h = await model.fit([[1, 2], [3, 4]], [[3], [7]], { epochs: 2, verbose: 0 });
  check<Equal<typeof h.history, Record<string, number[]>>>();
  console.log(JSON.stringify({ pred: Array.from(y.dataSync()), losses: h.history['loss'] }));
}
main().catch((e: unknown) => { console.error(e); process.exit(1); });
