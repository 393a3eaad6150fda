// The environment overrides behave as in the ES-module build, on the
// synchronous path: SIMDNET_BACKEND picks the backend; a bad
// SIMDNET_WASM_VARIANT is a ValueError thrown by require() itself.
let out;
try {
  const sn = require('simdnet');
  const t = sn.matMul(sn.tensor([[1, 2]]), sn.tensor([[3], [4]]));
  out = { info: sn.backendInfo(), matMul: Array.from(t.dataSync()) };
} catch (e) {
  out = { error: e.name, message: e.message };
}
console.log(JSON.stringify(out));
