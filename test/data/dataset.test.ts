/**
 * sn.data (issue 17): every Dataset method against the same operation on
 * arrays, shuffle's determinism for a seed, batching's structures and its
 * ragged-element error, generators (sync and async, fresh per pass, their
 * failures), zip, prefetch reading ahead, and CSV from a path, a file:// URL,
 * an http:// URL (a local server) and a Blob, with TF.js's column configs and
 * the errors for a missing label column, a non-numeric and an empty cell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as sn from '../../src/index.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('Dataset methods against arrays', () => {
  it('map, filter, take, skip, repeat, concatenate, toArray, forEachAsync, iterator', async () => {
    const a = range(23);
    const ds = sn.data.array(a);
    expect(ds.size).toBe(23);
    expect(await ds.toArray()).toEqual(a);
    expect(await ds.map((x) => x * 2).toArray()).toEqual(a.map((x) => x * 2));
    expect(await ds.map(async (x) => x + 1).toArray()).toEqual(a.map((x) => x + 1));
    expect(await ds.filter((x) => x % 3 === 0).toArray()).toEqual(a.filter((x) => x % 3 === 0));
    expect(await ds.filter(async (x) => x > 20).toArray()).toEqual([21, 22]);
    expect(await ds.take(5).toArray()).toEqual(a.slice(0, 5));
    expect(ds.take(5).size).toBe(5);
    expect(await ds.skip(20).toArray()).toEqual(a.slice(20));
    expect(ds.skip(30).size).toBe(0);
    expect(await ds.take(3).repeat(3).toArray()).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(await ds.repeat().take(50).toArray()).toEqual([...a, ...a, ...a].slice(0, 50));
    expect(await sn.data.array([]).repeat().toArray()).toEqual([]);
    expect(await ds.take(2).concatenate(ds.skip(21)).toArray()).toEqual([0, 1, 21, 22]);
    const seen: number[] = [];
    await ds.take(4).forEachAsync(async (x) => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(x);
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    const it = await ds.skip(22).iterator();
    expect(await it.next()).toEqual({ value: 22, done: false });
    expect((await it.next()).done).toBe(true);
    const fromLoop: number[] = [];
    for await (const x of ds.take(3)) fromLoop.push(x);
    expect(fromLoop).toEqual([0, 1, 2]);
  });

  it('shuffle: a permutation, the same for a seed, a new one each pass, the order kept with a buffer of 1', async () => {
    const a = range(100);
    const ds = sn.data.array(a);
    const one = await ds.shuffle(100, 7).toArray();
    expect([...one].sort((x, y) => x - y)).toEqual(a);
    expect(one).not.toEqual(a);
    expect(await ds.shuffle(100, 7).toArray()).toEqual(one);
    const twice = ds.shuffle(100, 7);
    const p1 = await twice.toArray(),
      p2 = await twice.toArray();
    expect(p1).toEqual(one);
    expect(p2).not.toEqual(p1);
    expect(await ds.shuffle(100, 7, false).toArray()).toEqual(await ds.shuffle(100, 7, false).toArray());
    expect(await ds.shuffle(1, 3).toArray()).toEqual(a);
    // A small buffer moves an element at most (buffer − 1) places earlier.
    const local = await ds.shuffle(5, 2).toArray();
    local.forEach((v, i) => expect(v).toBeLessThanOrEqual(i + 4));
  });

  it('batch stacks numbers, arrays, typed arrays, tensors and structures of them', async () => {
    const items = range(5).map((i) => ({
      xs: [i, i + 0.5],
      ys: i % 2,
      img: [
        [i, 0],
        [0, i],
      ],
      t: sn.tensor([i, -i, 2 * i]),
      f: Float32Array.of(i, 1),
      pair: [sn.tensor([i]), i * 10],
    }));
    const bs = await sn.data.array(items).batch(2).toArray();
    expect(bs.length).toBe(3);
    const b0 = bs[0]! as unknown as Record<string, sn.Tensor | sn.Tensor[]>;
    expect((b0.xs as sn.Tensor).shape).toEqual([2, 2]);
    expect(Array.from((b0.xs as sn.Tensor).values)).toEqual([0, 0.5, 1, 1.5]);
    expect((b0.ys as sn.Tensor).shape).toEqual([2]);
    expect((b0.img as sn.Tensor).shape).toEqual([2, 2, 2]);
    expect((b0.t as sn.Tensor).shape).toEqual([2, 3]);
    expect((b0.f as sn.Tensor).shape).toEqual([2, 2]);
    expect((b0.pair as sn.Tensor[]).map((t) => t.shape)).toEqual([[2, 1], [2]]);
    expect(((bs[2] as unknown as { xs: sn.Tensor }).xs as sn.Tensor).shape).toEqual([1, 2]);
    expect(await sn.data.array(items).batch(2, false).toArray()).toHaveLength(2);
    expect(sn.data.array(items).batch(2).size).toBe(3);
    expect(sn.data.array(items).batch(2, false).size).toBe(2);
  });

  it('batch refuses a ragged element, naming it and both shapes; refuses text', async () => {
    const ragged = [{ xs: [1, 2] }, { xs: [3, 4] }, { xs: [5] }];
    await expect(sn.data.array(ragged).batch(3).toArray()).rejects.toThrow(
      /batch 0.*'xs' of element 2 of the batch has shape \[1\] where the batch's first has shape \[2\]/,
    );
    await expect(sn.data.array(['a', 'b']).batch(2).toArray()).rejects.toThrow(/"a".*Map it to numbers/);
    expect(() => sn.data.array([1]).batch(0)).toThrow(/batchSize.*positive integer/);
    expect(() => sn.data.array([1]).shuffle(-1)).toThrow(/bufferSize/);
    expect(() => sn.data.array(3 as unknown as number[])).toThrow(/items.*array/);
  });

  it('generators: sync and async, a fresh iterator every pass, failures with the element index', async () => {
    let calls = 0;
    const sync = sn.data.generator(function* () {
      calls++;
      for (let i = 0; i < 4; i++) yield i;
    });
    expect(await sync.toArray()).toEqual([0, 1, 2, 3]);
    expect(await sync.toArray()).toEqual([0, 1, 2, 3]);
    expect(calls).toBe(2);
    const asyncGen = sn.data.generator(async function* () {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield { xs: [i], ys: [i * 2] };
      }
    });
    const b = (await asyncGen.batch(3).toArray())[0] as unknown as { xs: sn.Tensor; ys: sn.Tensor };
    expect(Array.from(b.ys.values)).toEqual([0, 2, 4]);
    const bad = sn.data.generator(function* () {
      yield 1;
      yield 2;
      throw new Error('disk on fire');
    });
    await expect(bad.toArray()).rejects.toThrow(/generator failed at element 2: disk on fire/);
    expect(() => sn.data.generator(5 as unknown as () => Iterator<number>)).toThrow(/fn/);
    await expect(sn.data.generator(() => 5 as unknown as Iterator<number>).toArray()).rejects.toThrow(
      /must return an iterator/,
    );
  });

  it('zip (array and object forms) ends with the shortest', async () => {
    const a = sn.data.array([1, 2, 3]),
      b = sn.data.array(['x', 'y']);
    expect(await sn.data.zip([a, b]).toArray()).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
    expect(await sn.data.zip({ xs: a, ys: a.map((v) => v * 10) }).toArray()).toEqual([
      { xs: 1, ys: 10 },
      { xs: 2, ys: 20 },
      { xs: 3, ys: 30 },
    ]);
    expect(sn.data.zip([a, b]).size).toBe(2);
    expect(() => sn.data.zip([a, 3 as unknown as sn.Dataset])).toThrow(/datasets\["1"\].*Dataset/);
  });

  it('prefetch reads ahead while the consumer waits, and keeps the order', async () => {
    let produced = 0;
    const slow = sn.data.generator(async function* () {
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 2));
        produced++;
        yield i;
      }
    });
    const it = await slow.prefetch(4).iterator();
    expect((await it.next()).value).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    // The consumer took one; the background read up to four more.
    expect(produced).toBeGreaterThanOrEqual(5);
    expect(produced).toBeLessThanOrEqual(6);
    expect(await slow.prefetch(3).toArray()).toEqual(range(10));
  });
});

describe('sn.data.csv', () => {
  let dir: string, file: string, server: Server, url: string;
  const text = 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sn-csv-'));
    file = join(dir, 'small.csv');
    writeFileSync(file, text);
    server = createServer((req, res) => {
      if (req.url === '/small.csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        // In pieces, a record split across them.
        res.write(text.slice(0, 9));
        setTimeout(() => res.end(text.slice(9)), 5);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    url = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const want = [
    { xs: { a: 1, b: 2 }, ys: { label: 0 } },
    { xs: { a: 3, b: 4 }, ys: { label: 1 } },
    { xs: { a: 5, b: 6 }, ys: { label: 0 } },
    { xs: { a: 7, b: 8 }, ys: { label: 1 } },
  ];
  const cfg = { columnConfigs: { label: { isLabel: true } } };

  it('reads a path, a file:// URL, an http:// URL and a Blob alike, every pass', async () => {
    expect(await sn.data.csv(file, cfg).toArray()).toEqual(want);
    expect(await sn.data.csv(pathToFileURL(file).href, cfg).toArray()).toEqual(want);
    const remote = sn.data.csv(`${url}/small.csv`, cfg);
    expect(await remote.toArray()).toEqual(want);
    expect(await remote.toArray()).toEqual(want);
    expect(await sn.data.csv(new Blob([text]), cfg).toArray()).toEqual(want);
    expect(await sn.data.csv(file).take(1).toArray()).toEqual([{ a: 1, b: 2, label: 0 }]);
  });

  it('column configs: names without a header, only configured columns, defaults, dtypes, another delimiter', async () => {
    const f2 = join(dir, 'noheader.tsv');
    writeFileSync(f2, '1\tyes\tred\n\tno\tblue\n');
    const ds = sn.data.csv(f2, {
      hasHeader: false,
      delimiter: '\t',
      columnNames: ['n', 'ok', 'colour'],
      columnConfigs: { n: { default: -1 }, ok: { dtype: 'bool', isLabel: true }, colour: { dtype: 'string' } },
    });
    expect(await ds.toArray()).toEqual([
      { xs: { n: 1, colour: 'red' }, ys: { ok: 1 } },
      { xs: { n: -1, colour: 'blue' }, ys: { ok: 0 } },
    ]);
    const only = sn.data.csv(file, { configuredColumnsOnly: true, columnConfigs: { b: {}, label: { isLabel: true } } });
    expect((await only.toArray())[0]).toEqual({ xs: { b: 2 }, ys: { label: 0 } });
  });

  it('errors: a missing label column, a non-numeric cell, an empty one, a missing file, a bad URL', async () => {
    await expect(sn.data.csv(file, { columnConfigs: { species: { isLabel: true } } }).toArray()).rejects.toThrow(
      /columnConfigs names the column 'species', which the CSV does not have. Its columns: a, b, label/,
    );
    const f3 = join(dir, 'bad.csv');
    writeFileSync(f3, 'a,b\n1,2\n3,oops\n');
    await expect(sn.data.csv(f3).toArray()).rejects.toThrow(/line 3, column 'b': "oops" is not a number/);
    const f4 = join(dir, 'empty.csv');
    writeFileSync(f4, 'a,b\n1,\n');
    await expect(sn.data.csv(f4).toArray()).rejects.toThrow(/line 2, column 'b': the cell is empty.*default/);
    await expect(sn.data.csv(join(dir, 'nope.csv')).toArray()).rejects.toThrow(/cannot open/);
    await expect(sn.data.csv(`${url}/missing.csv`).toArray()).rejects.toThrow(/answered 404/);
    expect(() => sn.data.csv(3 as unknown as string)).toThrow(/source/);
    expect(() => sn.data.csv(file, { hasHeader: false })).toThrow(/columnNames/);
  });
});
