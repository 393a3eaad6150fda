// Node reads the CommonJS build's named exports by static analysis
// (cjs-module-lexer); every name the ES-module build exports must be among them.
import * as viaNode from 'simdnet';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const esm = await import(pathToFileURL(join(process.cwd(), 'node_modules', 'simdnet', 'dist', 'index.js')).href);
const names = Object.keys(viaNode).filter((k) => k !== 'default' && k !== '__esModule' && k !== 'module.exports').sort();
const esmNames = Object.keys(esm).sort();
console.log(JSON.stringify({
  esmNames,
  names,
  missing: esmNames.filter((k) => !names.includes(k)),
  extra: names.filter((k) => !esmNames.includes(k)),
}));
