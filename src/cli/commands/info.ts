/**
 * `simdnet info`: the version, and what the library runs on here.
 */
import * as sn from '../../index.js';
import { packageVersion } from '../util.js';
import { parseCommandArgs, positionals } from './common.js';

export const infoHelp = `Usage: simdnet info [--json]

Print simdnet's version and the backend it runs on: wasm or pure JS, the
WebAssembly build (SIMD, relaxed SIMD), shared memory and kernel threads.
`;

const options = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function info(args: string[]): Promise<number> {
  const { values: v, positionals: pos } = parseCommandArgs('info', args, options);
  if (v.help) {
    process.stdout.write(infoHelp);
    return 0;
  }
  positionals('info', pos, []);
  const b = sn.backendInfo();
  const record = {
    version: packageVersion(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    ...b,
  };
  if (v.json) {
    process.stdout.write(`${JSON.stringify(record)}\n`);
    return 0;
  }
  const yes = (x: boolean) => (x ? 'yes' : 'no');
  const lines = [
    `simdnet ${record.version}`,
    `node: ${record.node} (${record.platform})`,
    `backend: ${b.backend}${b.backend === 'wasm' ? ` (${b.variant} build)` : ''}`,
    `SIMD: ${yes(b.simd)}`,
    `relaxed SIMD: ${yes(b.relaxedSimd)}${b.relaxedSimdFlag ? ' (Node 20: turned on --experimental-wasm-relaxed-simd)' : ''}`,
    `shared memory: ${yes(b.sharedMemory)}`,
    `threads: ${b.threads}`,
  ];
  if (b.reason) lines.push(`wasm unavailable: ${b.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
