/**
 * `sn.data` (issue 17): datasets read lazily, for data larger than memory — TF.js's `tf.data` by name.
 * @example const ds = sn.data.csv('big.csv', { columnConfigs: { y: { isLabel: true } } }).batch(64);
 */
export { Dataset, array, generator, zip } from './dataset.js';
export type { LazyIterator, Batched } from './dataset.js';
export { csv } from './dataset-csv.js';
export type { CSVConfig, ColumnConfig, CSVSource } from './dataset-csv.js';
