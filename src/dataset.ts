/**
 * Streaming data (issue 17): `sn.data`, TF.js's `tf.data` by name and meaning. A Dataset is a recipe for
 * a sequence of elements, read one at a time, so data larger than memory trains through `fitDataset`.
 *
 * Every stage pulls from the one before through `next()`, which answers at once when the stage and all
 * its sources are synchronous (an array, a sync generator, sync maps) and with a promise when one is not
 * (a file, an async generator, an async map) — so an in-memory pipeline pays no promise per element,
 * and an I/O-bound one still works. Nothing is kept beyond what a stage needs: shuffle's buffer,
 * prefetch's queue, the elements of the batch being built.
 */
import { DataError, ValueError, describe, invalid } from './errors.js';
import { hash32 } from './backend/prng.js';
import { Rng, nextSeed } from './random.js';
import { Tensor, resultTensor } from './tensor.js';

/** One step of a stage: a result now, or a promise of one. */
type Next<T> = IteratorResult<T> | Promise<IteratorResult<T>>;
/** A running pass over a dataset. `next` must not be called again before its previous result settled. */
interface Source<T> {
  next(): Next<T>;
  /** Stop early: close files, end generators (best effort). */
  close?(): void;
}

const DONE: IteratorResult<never> = { done: true, value: undefined };
const isPromise = <T>(x: unknown): x is Promise<T> => typeof (x as { then?: unknown } | null)?.then === 'function';
/** f(x), after x settles if it is a promise. */
function then<A, B>(x: A | Promise<A>, f: (a: A) => B | Promise<B>): B | Promise<B> {
  return isPromise<A>(x) ? x.then(f) : f(x);
}
/**
 * @internal An error with where it happened put in front of its message (once: a message that already
 * starts with `where` is left alone); the class is kept so callers can tell what it was.
 */
export function locate(e: unknown, where: string): Error {
  if (e instanceof Error) {
    if (!e.message.startsWith(where)) e.message = `${where}: ${e.message}`;
    return e;
  }
  return new DataError(`${where}: ${describe(e)}`);
}

/** An iterator over a dataset's elements (TF.js's LazyIterator): `await it.next()`. */
export interface LazyIterator<T> {
  next(): Promise<IteratorResult<T>>;
}

/**
 * A sequence of elements, read lazily: build one with `sn.data.array`, `generator`, `csv` or `zip`,
 * chain `map`, `filter`, `shuffle`, `batch`, `prefetch`…, and hand it to `model.fitDataset`.
 * @example const ds = sn.data.array(rows).map((r) => ({ xs: r.slice(0, 8), ys: [r[8]] })).shuffle(100).batch(32);
 */
export class Dataset<T = unknown> {
  /** @internal */
  constructor(
    private readonly open: () => Source<T>,
    /** The number of elements, where it is known without reading them (TF.js's `size`); null otherwise. */
    readonly size: number | null,
  ) {}

  /** @internal A fresh pass over the elements. */
  source(): Source<T> {
    return this.open();
  }

  /** A fresh pass as TF.js's LazyIterator. */
  async iterator(): Promise<LazyIterator<T>> {
    const s = this.open();
    return { next: async () => await s.next() };
  }
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const s = this.open();
    return {
      next: async () => await s.next(),
      return: async () => {
        s.close?.();
        return DONE;
      },
    };
  }

  /** Each element through `fn` (which may return a promise). */
  map<U>(fn: (x: T) => U | Promise<U>): Dataset<U> {
    if (typeof fn !== 'function') invalid('fn', 'a function of an element', fn);
    return new Dataset(() => {
      const s = this.open();
      let i = 0;
      const apply = (r: IteratorResult<T>): Next<U> => {
        if (r.done) return DONE;
        const k = i++;
        let v: U | Promise<U>;
        try {
          v = fn(r.value);
        } catch (e) {
          throw locate(e, `Dataset.map(): element ${k}`);
        }
        return isPromise<U>(v)
          ? v.then(
              (value) => ({ value, done: false }),
              (e: unknown) => {
                throw locate(e, `Dataset.map(): element ${k}`);
              },
            )
          : { value: v, done: false };
      };
      return { next: () => then(s.next(), apply), close: () => s.close?.() };
    }, this.size);
  }
  /** TF.js's name for a map whose function returns a promise. */
  mapAsync<U>(fn: (x: T) => Promise<U>): Dataset<U> {
    return this.map(fn);
  }

  /** The elements for which `pred` is true (it may return a promise). */
  filter(pred: (x: T) => boolean | Promise<boolean>): Dataset<T> {
    if (typeof pred !== 'function') invalid('pred', 'a function of an element returning true or false', pred);
    return new Dataset(() => {
      const s = this.open();
      const next = (): Next<T> => {
        for (;;) {
          const r = s.next();
          if (isPromise<IteratorResult<T>>(r)) return r.then(settled);
          if (r.done) return DONE;
          const ok = pred(r.value);
          if (isPromise<boolean>(ok)) return ok.then((b) => (b ? r : next()));
          if (ok) return r;
        }
      };
      const settled = (r: IteratorResult<T>): Next<T> =>
        r.done ? DONE : then(pred(r.value), (b): Next<T> => (b ? r : next()));
      return { next, close: () => s.close?.() };
    }, null);
  }

  /** The first `count` elements. */
  take(count: number): Dataset<T> {
    checkCount('count', count);
    return new Dataset(
      () => {
        const s = this.open();
        let left = count;
        return {
          next: () => {
            if (left <= 0) {
              s.close?.();
              return DONE;
            }
            left--;
            return s.next();
          },
          close: () => s.close?.(),
        };
      },
      this.size === null ? null : Math.min(this.size, count),
    );
  }

  /** All but the first `count` elements. */
  skip(count: number): Dataset<T> {
    checkCount('count', count);
    return new Dataset(
      () => {
        const s = this.open();
        let left = count;
        const next = (): Next<T> => {
          while (left > 0) {
            left--;
            const r = s.next();
            if (isPromise<IteratorResult<T>>(r)) return r.then((q) => (q.done ? DONE : next()));
            if (r.done) return DONE;
          }
          return s.next();
        };
        return { next, close: () => s.close?.() };
      },
      this.size === null ? null : Math.max(0, this.size - count),
    );
  }

  /** The elements `count` times over (forever if no count): each time a fresh pass. */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined) checkCount('count', count);
    const times = count ?? Infinity;
    return new Dataset(
      () => {
        let pass = 0,
          s: Source<T> | null = null,
          seenThisPass = 0;
        const next = (): Next<T> => {
          if (s === null) {
            if (pass >= times) return DONE;
            s = this.open();
            seenThisPass = 0;
          }
          return then(s.next(), (r): Next<T> => {
            if (!r.done) {
              seenThisPass++;
              return r;
            }
            s = null;
            pass++;
            // An empty pass would repeat forever: stop.
            return seenThisPass === 0 ? DONE : next();
          });
        };
        return { next, close: () => s?.close?.() };
      },
      this.size === null || times === Infinity ? null : this.size * times,
    );
  }

  /** The elements of this dataset, then those of `other`. */
  concatenate(other: Dataset<T>): Dataset<T> {
    if (!(other instanceof Dataset)) invalid('other', 'a Dataset', other);
    return new Dataset(
      () => {
        let s = this.open(),
          second = false;
        const next = (): Next<T> =>
          then(s.next(), (r): Next<T> => {
            if (!r.done || second) return r;
            second = true;
            s = other.open();
            return s.next();
          });
        return { next, close: () => s.close?.() };
      },
      this.size !== null && other.size !== null ? this.size + other.size : null,
    );
  }

  /**
   * Elements in a random order drawn from a buffer of `bufferSize` (TF.js's and tf.data's algorithm: a
   * buffer the size of the data shuffles it uniformly). `seed` makes it repeatable; by default each pass
   * (each epoch) draws a new order.
   */
  shuffle(bufferSize: number, seed?: number, reshuffleEachIteration = true): Dataset<T> {
    checkCount('bufferSize', bufferSize, 1);
    if (seed !== undefined && !Number.isInteger(seed)) invalid('seed', 'an integer', seed);
    const base = seed ?? nextSeed();
    let passes = 0;
    return new Dataset(() => {
      const s = this.open();
      const rng = new Rng(reshuffleEachIteration ? hash32(base, passes++) : base);
      const buf: T[] = [];
      let ended = false;
      // Fill the buffer (or reach the end), then hand out a random element and put the next in its place.
      const fill = (): Next<T> | null => {
        while (!ended && buf.length < bufferSize) {
          const r = s.next();
          if (isPromise<IteratorResult<T>>(r))
            return r.then((q) => {
              if (q.done) ended = true;
              else buf.push(q.value);
              return fill() ?? draw();
            });
          if (r.done) ended = true;
          else buf.push(r.value);
        }
        return null;
      };
      const draw = (): IteratorResult<T> => {
        if (buf.length === 0) return DONE;
        const i = Math.min(buf.length - 1, Math.floor(rng.uniform(0, buf.length)));
        const v = buf[i]!;
        buf[i] = buf[buf.length - 1]!;
        buf.pop();
        return { value: v, done: false };
      };
      return { next: () => fill() ?? draw(), close: () => s.close?.() };
    }, this.size);
  }

  /**
   * Groups of `batchSize` elements stacked into tensors, as TF.js batches: numbers → [n], arrays and
   * typed arrays of numbers → [n, ...shape], tensors → [n, ...shape], objects and arrays of tensors →
   * the same structure of batches. The last, smaller group is kept unless `smallLastBatch` is false.
   */
  batch(batchSize: number, smallLastBatch = true): Dataset<Batched<T>> {
    checkCount('batchSize', batchSize, 1);
    if (!Number.isFinite(batchSize)) invalid('batchSize', 'a finite positive integer', batchSize);
    return new Dataset(
      () => {
        const s = this.open();
        let index = 0,
          ended = false;
        const items: T[] = [];
        const collect = (): Next<Batched<T>> => {
          while (!ended && items.length < batchSize) {
            const r = s.next();
            if (isPromise<IteratorResult<T>>(r))
              return r.then((q) => {
                if (q.done) ended = true;
                else items.push(q.value);
                return collect();
              });
            if (r.done) ended = true;
            else items.push(r.value);
          }
          if (items.length === 0 || (items.length < batchSize && !smallLastBatch)) return DONE;
          const b = index++;
          const value = stack(items, `Dataset.batch(): batch ${b} (elements ${b * batchSize}…)`) as Batched<T>;
          items.length = 0;
          return { value, done: false };
        };
        return { next: collect, close: () => s.close?.() };
      },
      this.size === null ? null : smallLastBatch ? Math.ceil(this.size / batchSize) : Math.floor(this.size / batchSize),
    );
  }

  /**
   * Read up to `bufferSize` elements ahead, in the background, while the consumer works on the last (a
   * file's next rows are read while the model trains on this batch).
   */
  prefetch(bufferSize: number): Dataset<T> {
    checkCount('bufferSize', bufferSize, 1);
    return new Dataset(() => {
      const s = this.open();
      const queue: Promise<IteratorResult<T>>[] = [];
      let tail: Promise<unknown> = Promise.resolve(),
        ended = false;
      const request = () => {
        // One request at a time on the source (its next must settle first), each chained on the last.
        const p = tail
          .then(() => (ended ? DONE : s.next()))
          .then((r) => {
            if (r.done) ended = true;
            return r;
          });
        // A failure is the consumer's to see when it reaches it, not an unhandled rejection now.
        p.catch(() => undefined);
        tail = p.catch(() => undefined);
        queue.push(p);
      };
      return {
        next: () => {
          while (queue.length < bufferSize + 1) request();
          return queue.shift()!;
        },
        close: () => s.close?.(),
      };
    }, this.size);
  }

  /** Call `f` on every element, in order (awaiting it if it returns a promise). */
  async forEachAsync(f: (x: T) => void | Promise<void>): Promise<void> {
    if (typeof f !== 'function') invalid('f', 'a function of an element', f);
    const s = this.open();
    for (;;) {
      const r = await s.next();
      if (r.done) return;
      await f(r.value);
    }
  }

  /** Every element, in an array (for data that fits in memory). */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    await this.forEachAsync((x) => {
      out.push(x);
    });
    return out;
  }
}

/** What `batch` makes of an element type: numeric leaves become tensors. */
export type Batched<T> = T extends number | number[] | number[][] | ArrayLike<number> | Tensor
  ? Tensor
  : T extends (infer E)[]
    ? Batched<E>[]
    : T extends object
      ? { [K in keyof T]: Batched<T[K]> }
      : Tensor;

function checkCount(name: string, v: unknown, min = 0): void {
  if (typeof v !== 'number' || !(v >= min) || (v !== Infinity && !Number.isInteger(v)))
    invalid(name, min === 0 ? 'a non-negative integer' : 'a positive integer', v);
}

// ------------------------------------------------------------------ batching

/** Whether a value is a numeric leaf (stacked into one tensor) and its shape. */
function leafShape(v: unknown, top = true): number[] | null {
  if (typeof v === 'number' || typeof v === 'boolean') return [];
  // A tensor inside an array is one of several inputs (an array of batches), not a row of numbers.
  if (v instanceof Tensor) return top ? v.shape.slice() : null;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return [(v as unknown as ArrayLike<number>).length];
  if (Array.isArray(v)) {
    if (v.length === 0) return [0];
    const inner = leafShape(v[0], false);
    return inner === null ? null : [v.length, ...inner];
  }
  return null;
}
/** Write the numbers of a leaf of shape `shape` at out[o…]; false if its shape is not that. */
function writeLeaf(v: unknown, shape: readonly number[], d: number, out: Float32Array, o: number): number {
  if (d === shape.length) {
    if (typeof v === 'number') out[o] = v;
    else if (typeof v === 'boolean') out[o] = v ? 1 : 0;
    else return -1;
    return o + 1;
  }
  if (v instanceof Tensor) {
    if (d !== 0 || v.shape.length !== shape.length || v.shape.some((n, i) => n !== shape[i])) return -1;
    out.set(v.values, o);
    return o + v.size;
  }
  if (ArrayBuffer.isView(v)) {
    const a = v as unknown as ArrayLike<number>;
    if (d !== shape.length - 1 || a.length !== shape[d]) return -1;
    out.set(a, o);
    return o + a.length;
  }
  if (!Array.isArray(v) || v.length !== shape[d]) return -1;
  if (d === shape.length - 1) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      if (typeof x !== 'number') return -1;
      out[o + i] = x;
    }
    return o + v.length;
  }
  for (const x of v) {
    o = writeLeaf(x, shape, d + 1, out, o);
    if (o < 0) return -1;
  }
  return o;
}
const shapeOf = (v: unknown): string => {
  const s = leafShape(v);
  return s === null ? describe(v) : `shape [${s}]`;
};

/** Stack the elements of one batch, structure by structure (see Dataset.batch). */
export function stack(items: readonly unknown[], where: string, path = ''): unknown {
  const first = items[0];
  const name = path === '' ? 'the element' : `'${path.slice(1)}'`;
  const shape = leafShape(first);
  if (shape !== null) {
    const size = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(items.length * size);
    for (let i = 0; i < items.length; i++) {
      if (writeLeaf(items[i], shape, 0, out, i * size) < 0)
        throw new DataError(
          `${where}: ${name} of element ${i} of the batch has ${shapeOf(items[i])} where the batch's first has shape [${shape}]; every element must have the same shape.`,
        );
    }
    return resultTensor(out, [items.length, ...shape]);
  }
  if (Array.isArray(first))
    return first.map((_, k) =>
      stack(
        items.map((x, i) => {
          if (!Array.isArray(x) || x.length !== first.length)
            throw new DataError(
              `${where}: element ${i} of the batch is ${describe(x)} where the first is an array of ${first.length}.`,
            );
          return x[k];
        }),
        where,
        `${path}[${k}]`,
      ),
    );
  if (typeof first === 'object' && first !== null) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const k of keys)
      out[k] = stack(
        items.map((x, i) => {
          if (typeof x !== 'object' || x === null || !(k in x))
            throw new DataError(`${where}: element ${i} of the batch has no '${path.slice(1)}${path ? '.' : ''}${k}'.`);
          return (x as Record<string, unknown>)[k];
        }),
        where,
        `${path}.${k}`,
      );
    return out;
  }
  throw new DataError(
    `${where}: ${name} is ${describe(first)}; a batch stacks numbers, arrays or typed arrays of numbers, tensors, and arrays or objects of them. Map it to numbers first.`,
  );
}

// ------------------------------------------------------------------ sources

/** A dataset of the items of an array (not copied). */
export function array<T>(items: readonly T[]): Dataset<T> {
  if (!Array.isArray(items)) invalid('items', 'an array of elements', items);
  const list: readonly T[] = items;
  return new Dataset<T>(() => {
    let i = 0;
    return { next: (): IteratorResult<T> => (i < list.length ? { value: list[i++] as T, done: false } : DONE) };
  }, list.length);
}

/**
 * A dataset of what a generator yields: `fn` returns a fresh iterator (a generator function, sync or
 * async, or anything with `next`) for every pass.
 * @example sn.data.generator(function* () { for (let i = 0; i < 1e6; i++) yield { xs: [i], ys: [2 * i] }; })
 */
export function generator<T>(fn: () => Iterator<T> | AsyncIterator<T> | Iterable<T> | AsyncIterable<T>): Dataset<T> {
  if (typeof fn !== 'function') invalid('fn', 'a function returning an iterator (e.g. a generator function)', fn);
  return new Dataset(() => {
    let it: Iterator<T> | AsyncIterator<T> | null = null,
      index = 0;
    const start = (): Iterator<T> | AsyncIterator<T> => {
      const g = fn() as unknown;
      const obj = g as { next?: unknown; [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
      if (obj !== null && typeof obj === 'object' && typeof obj.next === 'function') return g as Iterator<T>;
      if (obj !== null && typeof obj === 'object' && typeof obj[Symbol.asyncIterator] === 'function')
        return (g as AsyncIterable<T>)[Symbol.asyncIterator]();
      if (obj !== null && typeof obj === 'object' && typeof obj[Symbol.iterator] === 'function')
        return (g as Iterable<T>)[Symbol.iterator]();
      throw new ValueError(
        `sn.data.generator(fn): fn must return an iterator (call of a generator function, or an object with next()). Received: ${describe(g)}`,
      );
    };
    return {
      next: () => {
        const k = index++;
        try {
          it ??= start();
          const r = it.next();
          return isPromise<IteratorResult<T>>(r)
            ? r.then(
                (q) => q,
                (e: unknown) => {
                  throw locate(e, `sn.data.generator(): the generator failed at element ${k}`);
                },
              )
            : r;
        } catch (e) {
          throw locate(e, `sn.data.generator(): the generator failed at element ${k}`);
        }
      },
      close: () => {
        try {
          void it?.return?.();
        } catch {
          /* best effort */
        }
      },
    };
  }, null);
}

/**
 * Elements taken together from several datasets: `zip([a, b])` gives [a's, b's], `zip({ xs: a, ys: b })`
 * gives { xs: a's, ys: b's }; it ends with the shortest.
 */
export function zip<T extends Dataset[] | Record<string, Dataset>>(
  datasets: T,
): Dataset<T extends Dataset[] ? unknown[] : Record<string, unknown>> {
  if (typeof datasets !== 'object' || datasets === null)
    invalid('datasets', 'an array or an object of datasets', datasets);
  const keys = Object.keys(datasets);
  const list = keys.map((k) => (datasets as Record<string, Dataset>)[k]!);
  list.forEach((d, i) => {
    if (!(d instanceof Dataset)) invalid(`datasets[${JSON.stringify(keys[i])}]`, 'a Dataset', d);
  });
  const asArray = Array.isArray(datasets);
  const sizes = list.map((d) => d.size);
  type Out = T extends Dataset[] ? unknown[] : Record<string, unknown>;
  return new Dataset<Out>(
    () => {
      const ss = list.map((d) => d.source());
      const combine = (rs: IteratorResult<unknown>[]): IteratorResult<Out> => {
        if (rs.some((r) => r.done)) return DONE;
        if (asArray) return { value: rs.map((r) => r.value) as Out, done: false };
        const o: Record<string, unknown> = {};
        keys.forEach((k, i) => (o[k] = rs[i]!.value));
        return { value: o as Out, done: false };
      };
      return {
        next: () => {
          const rs = ss.map((s) => s.next());
          return rs.some((r) => isPromise(r))
            ? Promise.all(rs).then(combine)
            : combine(rs as IteratorResult<unknown>[]);
        },
        close: () => ss.forEach((s) => s.close?.()),
      };
    },
    sizes.every((n) => n !== null) && sizes.length > 0 ? Math.min(...(sizes as number[])) : null,
  );
}
