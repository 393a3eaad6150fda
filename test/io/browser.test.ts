/**
 * The browser handlers, as far as Node can exercise them: clear errors where
 * the browser API is missing; localStorage through an injected Storage (with a
 * quota), in TF.js's key layout, both ways with TF.js's own handler; downloads
 * through a stand-in document, loaded back with browserFiles; http save
 * (multipart POST) and load against a local server, with TF.js reading the
 * same URL. IndexedDB itself runs in the browser tests (Chromium).
 */
import { createServer, type Server } from 'node:http';
import { resolveObjectURL } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as sn from '../../src/index.js';
import { closeTo, inputs, io } from './helpers.js';

/** A Map-backed Storage with a quota in characters, like a browser's ~5 MB. */
class FakeStorage implements Storage {
  private m = new Map<string, string>();
  constructor(private quota = Infinity) {}
  get length() {
    return this.m.size;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  clear() {
    this.m.clear();
  }
  setItem(k: string, v: string) {
    const used = [...this.m].reduce((a, [kk, vv]) => a + (kk === k ? 0 : kk.length + vv.length), 0);
    if (used + k.length + v.length > this.quota)
      throw Object.assign(new Error('QuotaExceededError: the quota has been exceeded.'), {
        name: 'QuotaExceededError',
      });
    this.m.set(k, String(v));
  }
  keys() {
    return [...this.m.keys()];
  }
}

function small(seed: number, units = 4): sn.Sequential {
  sn.setSeed(seed);
  return sn.sequential([
    sn.layers.dense({ units, inputDim: 3, activation: 'relu', name: 'h' }),
    sn.layers.dense({ units: 2, activation: 'softmax', name: 'o' }),
  ]);
}
const x = inputs(5, 3, 4);
const preds = (m: sn.Sequential) => Array.from(m.predict(x).values);

let server: Server;
let base = '';
const posted = new Map<string, Map<string, Uint8Array>>();
beforeAll(async () => {
  await tf.setBackend('cpu');
  server = createServer((req, res) => {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const form = await new Request('http://x', {
          method: 'POST',
          headers: { 'content-type': req.headers['content-type']! },
          body: Buffer.concat(chunks),
        }).formData();
        const files = new Map<string, Uint8Array>();
        for (const [name, value] of form.entries())
          files.set(name, new Uint8Array(await (value as Blob).arrayBuffer()));
        posted.set(req.url!, files);
        res.writeHead(200).end('{}');
      });
      return;
    }
    const [dir, file] = [
      req.url!.slice(0, req.url!.lastIndexOf('/')),
      req.url!.slice(req.url!.lastIndexOf('/') + 1).replace(/^\.\//, ''),
    ];
    const body = posted.get(dir)?.get(file);
    if (body) res.writeHead(200, { 'content-length': body.byteLength }).end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server?.close();
});

describe('browser handlers', () => {
  it('say clearly what is missing in Node', async () => {
    const m = small(1);
    for (const [target, re] of [
      ['indexeddb://m', /needs IndexedDB/],
      ['localstorage://m', /needs window\.localStorage/],
      ['downloads://m', /needs a browser page/],
    ] as const) {
      const e = await m.save(target).then(
        () => new Error('no failure'),
        (x: unknown) => x as Error,
      );
      expect(e, target).toBeInstanceOf(sn.NotSupportedError);
      expect(e.message, target).toMatch(re);
    }
    await expect(sn.loadModel('indexeddb://m')).rejects.toThrow(/needs IndexedDB.*save to a directory path instead/);
    await expect(sn.loadModel('downloads://m')).rejects.toThrow(/downloads:\/\/ can only save.*browserFiles/);
    await expect(sn.loadModel('ftp://x/model.json')).rejects.toThrow(
      /Unknown URL scheme.*Supported: file:\/\/, indexeddb:\/\//,
    );
  });

  it("localStorage: round trip in TF.js's key layout, and a quota error leaves the previous model intact", async () => {
    const storage = new FakeStorage(20_000);
    const a = small(2);
    await a.save(io.browserLocalStorage('my-model', { storage }), { includeOptimizer: false });
    expect(storage.keys().sort()).toEqual(
      ['info', 'model_metadata', 'model_topology', 'weight_data', 'weight_specs'].map(
        (s) => `tensorflowjs_models/my-model/${s}`,
      ),
    );
    expect(preds(await sn.loadModel(io.browserLocalStorage('my-model', { storage })))).toEqual(preds(a));
    // ~ 14 KB of weights, ~ 19 K characters of base64: past the quota alongside the first model
    const big = small(3, 600);
    const e = await big.save(io.browserLocalStorage('my-model', { storage })).then(
      () => new Error('no failure'),
      (x: unknown) => x as Error,
    );
    expect(e.message).toMatch(
      /Could not save model 'my-model' to localStorage \(the previous one, if any, is unchanged\).*quota/,
    );
    expect(storage.keys().every((k) => !k.includes('staging'))).toBe(true);
    expect(preds(await sn.loadModel(io.browserLocalStorage('my-model', { storage })))).toEqual(preds(a));
    await expect(sn.loadModel(io.browserLocalStorage('nothing', { storage }))).rejects.toThrow(
      /no model named 'nothing' in localStorage/,
    );
    storage.setItem('tensorflowjs_models/my-model/weight_data', '%%%not base64');
    await expect(sn.loadModel(io.browserLocalStorage('my-model', { storage }))).rejects.toThrow(sn.DataError);
  });

  it('localStorage: models saved by TF.js load in simdnet and the reverse', async () => {
    const storage = new FakeStorage();
    const g = globalThis as { window?: unknown };
    const hadWindow = 'window' in g;
    const wasBrowser = tf.env().getBool('IS_BROWSER');
    g.window = { localStorage: storage };
    tf.env().set('IS_BROWSER', true);
    try {
      const t = tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 3, inputShape: [3], activation: 'tanh' }),
          tfl.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      });
      await t.save('localstorage://from-tfjs');
      const mine = await sn.loadModel(io.browserLocalStorage('from-tfjs', { storage }));
      const tp = Array.from((t.predict(tf.tensor(x)) as tf.Tensor).dataSync());
      expect(closeTo(mine.predict(x).values, tp).ok).toBe(true);
      const a = small(4);
      await a.save(io.browserLocalStorage('from-simdnet', { storage }));
      const back = await tfl.loadLayersModel('localstorage://from-simdnet');
      const bp = Array.from((back.predict(tf.tensor(x)) as tf.Tensor).dataSync());
      expect(closeTo(bp, preds(a)).ok).toBe(true);
    } finally {
      tf.env().set('IS_BROWSER', wasBrowser);
      if (!hadWindow) delete g.window;
    }
  });

  it('downloads:// produces the two files TF.js does, which browserFiles loads back', async () => {
    const clicked: { download: string; href: string }[] = [];
    const g = globalThis as { document?: unknown };
    g.document = {
      createElement: () => {
        const a = {
          download: '',
          href: '',
          click: () => {
            clicked.push({ download: a.download, href: a.href });
          },
        };
        return a;
      },
    };
    try {
      const m = small(5);
      await m.save('downloads://my-model');
      expect(clicked.map((c) => c.download)).toEqual(['my-model.json', 'my-model.weights.bin']);
      const files = await Promise.all(
        clicked.map(async (c) => new File([await resolveObjectURL(c.href)!.arrayBuffer()], c.download)),
      );
      expect(JSON.parse(await files[0]!.text()).weightsManifest[0].paths).toEqual(['./my-model.weights.bin']);
      expect(preds(await sn.loadModel(io.browserFiles(files)))).toEqual(preds(m));
      await expect(sn.loadModel(io.browserFiles([files[0]!]))).rejects.toThrow(
        /Weight file 'my-model.weights.bin' .* was not among the files given/,
      );
    } finally {
      delete g.document;
    }
  });

  it('http: save as TF.js does (multipart POST), load with simdnet and with TF.js', async () => {
    const m = small(6);
    m.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    const r = await m.save(`${base}/up`, { includeOptimizer: true });
    expect(r.responses?.[0]?.status).toBe(200);
    expect([...posted.get('/up')!.keys()]).toEqual(['model.json', 'model.weights.bin']);
    const loaded = await sn.loadModel(`${base}/up/model.json`);
    expect(preds(loaded)).toEqual(preds(m));
    expect(loaded.optimizer?.className).toBe('Adam');
    const t = await tfl.loadLayersModel(`${base}/up/model.json`);
    const tp = Array.from((t.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    expect(closeTo(tp, preds(m)).ok).toBe(true);
    await expect(sn.loadModel(`${base}/nothing/model.json`)).rejects.toThrow(/failed with status 404/);
    // A weights file longer than its manifest stops the read and is named.
    const files = posted.get('/up')!;
    posted.set(
      '/long',
      new Map([
        ['model.json', files.get('model.json')!],
        ['model.weights.bin', new Uint8Array([...files.get('model.weights.bin')!, 0, 0, 0, 0])],
      ]),
    );
    await expect(sn.loadModel(`${base}/long/model.json`)).rejects.toThrow(/too many/);
    posted.set('/missing', new Map([['model.json', files.get('model.json')!]]));
    await expect(sn.loadModel(`${base}/missing/model.json`)).rejects.toThrow(
      /Weight file '.\/model.weights.bin' .* could not be fetched .*404 \(missing\)/,
    );
  });
});
