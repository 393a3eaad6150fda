// One contender's process. The parent (bench/run.mjs) starts one of these per contender
// (a contender may name extra Node flags, execArgv) and drives it over IPC:
// setup a case, run one timed round with tinybench, tear down. Only one process works
// at a time; the others wait on their IPC channel, so contenders never compete for the
// CPU, and each runs in a clean heap of its own.
//   node bench/host.mjs <contender module URL> '<init options JSON>'
import { Bench } from 'tinybench';

const [modUrl, optsJson] = process.argv.slice(2);
const initOpts = JSON.parse(optsJson ?? '{}');
const mod = await import(modUrl);
/** Active cases by contender name (two contenders may share a process). */
const active = new Map();
const now = () => performance.now();

async function teardown(name) {
  const cur = active.get(name);
  if (!cur) return;
  active.delete(name);
  await cur.teardown?.();
  globalThis.gc?.();
}

const ops = {
  async init() {
    return mod.init(initOpts);
  },
  async setup({ name, spec, opts }) {
    await teardown(name);
    globalThis.gc?.();
    const s = await mod.setup(spec, { ...initOpts, ...opts });
    if (!s) return { supported: false };
    // One untimed probe call: warms the code up and tells the parent what an iteration costs.
    const t0 = now();
    await s.fn();
    const probeMs = now() - t0;
    active.set(name, s);
    return { supported: true, check: s.check ?? null, probeMs };
  },
  async round({ name, timeMs, warmupMs }) {
    const cur = active.get(name);
    if (!cur) throw new Error(`round: ${name} has no case set up`);
    const bench = new Bench({
      time: timeMs,
      iterations: 1,
      warmup: warmupMs > 0,
      warmupTime: warmupMs,
      warmupIterations: 1,
      throws: true,
    });
    bench.add(name, cur.fn);
    await bench.run();
    const r = bench.tasks[0].result;
    if (r.state !== 'completed') throw r.error ?? new Error(`tinybench task ${r.state}`);
    return { medianMs: r.latency.p50, iterations: r.latency.samplesCount };
  },
  async teardown({ name }) {
    await teardown(name);
    return null;
  },
};

process.on('message', async (msg) => {
  if (msg.op === 'exit') {
    process.exit(0);
  }
  try {
    const result = await ops[msg.op](msg);
    process.send({ id: msg.id, ok: true, result });
  } catch (e) {
    process.send({ id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
process.send({ id: 0, ok: true, result: 'ready' });
