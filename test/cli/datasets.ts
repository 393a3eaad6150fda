/**
 * Generated tabular data sets for the CLI's defaults tests, made by this code
 * with fixed seeds (no file is committed): each returns a training CSV and a
 * larger held-out CSV drawn from the same distribution, so a held-out accuracy
 * is measured on many rows rather than on a 10% test split of a small file.
 *
 * The real data sets (Pima, UCI digits) come from examples/data; `holdOut`
 * splits them by a seeded shuffle.
 */

/** mulberry32: a small seeded generator of uniforms in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a uniform source. */
export function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export interface Generated {
  /** The training CSV's text. */
  train: string;
  /** A held-out CSV (same columns, same distribution). */
  test: string;
  /** The target column's name. */
  target: string;
}

const csv = (header: string[], rows: (string | number)[][]) =>
  `${[header.join(','), ...rows.map((r) => r.join(','))].join('\n')}\n`;
const fix = (v: number, d: number) => Number(v.toFixed(d));

/**
 * A flower-like set: 3 species (text labels) and 4 measurements in
 * centimetres, drawn per species from independent normals with the per-species
 * means and standard deviations of Fisher's iris data (sepal length/width,
 * petal length/width). 50 training rows per species, as the classic set has.
 */
export function flowers(seed = 1, perClassTrain = 50, perClassTest = 500): Generated {
  const species: [string, number[], number[]][] = [
    ['setosa', [5.006, 3.428, 1.462, 0.246], [0.352, 0.379, 0.174, 0.105]],
    ['versicolor', [5.936, 2.77, 4.26, 1.326], [0.516, 0.314, 0.47, 0.198]],
    ['virginica', [6.588, 2.974, 5.552, 2.026], [0.636, 0.322, 0.552, 0.275]],
  ];
  const n = normal(rng(seed));
  const draw = (per: number) => {
    const rows: (string | number)[][] = [];
    for (let i = 0; i < per; i++) {
      for (const [name, mu, sd] of species)
        rows.push([...mu.map((m, j) => fix(Math.max(0.1, m + sd[j]! * n()), 1)), name]);
    }
    return rows;
  };
  const header = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'];
  return { train: csv(header, draw(perClassTrain)), test: csv(header, draw(perClassTest)), target: 'species' };
}

/**
 * A binary set from a logistic model on `informative` of `features` standard
 * normal features (the rest are noise), with the features then mapped by
 * x → scale·x + offset per column. Used for tiny, wide and unscaled sets.
 */
export function logistic(opts: {
  seed: number;
  rows: number;
  testRows: number;
  features: number;
  informative: number;
  scale?: (j: number) => number;
  offset?: (j: number) => number;
  positiveRate?: number;
  nonlinear?: boolean;
}): Generated {
  const u = rng(opts.seed);
  const n = normal(u);
  const w = Array.from({ length: opts.informative }, () => n() * 2);
  const scale = opts.scale ?? (() => 1),
    offset = opts.offset ?? (() => 0);
  const score = (x: number[]) => {
    let s = 0;
    for (let j = 0; j < opts.informative; j++) s += w[j]! * x[j]!;
    if (opts.nonlinear) s += 1.5 * (x[0]! * x[0]! - 1) - 1.5 * x[1]! * x[2]!;
    return s;
  };
  // For an imbalanced set, the intercept that gives about `positiveRate` positives.
  let bias = 0;
  if (opts.positiveRate !== undefined) {
    const probe = Array.from({ length: 4000 }, () => score(Array.from({ length: opts.features }, n))).sort(
      (a, b) => a - b,
    );
    bias = -probe[Math.floor((1 - opts.positiveRate) * probe.length)]!;
  }
  const draw = (rows: number) => {
    const out: (string | number)[][] = [];
    for (let i = 0; i < rows; i++) {
      const x = Array.from({ length: opts.features }, n);
      const p = 1 / (1 + Math.exp(-(score(x) + bias)));
      out.push([...x.map((v, j) => fix(scale(j) * v + offset(j), 3)), u() < p ? 1 : 0]);
    }
    return out;
  };
  const header = [...Array.from({ length: opts.features }, (_, j) => `x${j}`), 'y'];
  return { train: csv(header, draw(opts.rows)), test: csv(header, draw(opts.testRows)), target: 'y' };
}

/** Tiny: 40 rows, 3 features (2 informative). */
export const tiny = () => logistic({ seed: 21, rows: 40, testRows: 2000, features: 3, informative: 2 });
/** Wide: 240 rows, 100 features, 8 of them informative. */
export const wide = () => logistic({ seed: 22, rows: 240, testRows: 2000, features: 100, informative: 8 });
/** Unscaled: 6 features in units a thousand times apart, with large offsets, and a non-linear boundary. */
export const unscaled = () =>
  logistic({
    seed: 23,
    rows: 500,
    testRows: 2000,
    features: 6,
    informative: 4,
    nonlinear: true,
    scale: (j) => 10 ** (j - 1) * 1000,
    offset: (j) => (j % 2 ? 5e4 : -2e3) * (j + 1),
  });
/** Imbalanced: 1000 rows with about 8% positives. */
export const imbalanced = () =>
  logistic({ seed: 24, rows: 1000, testRows: 4000, features: 8, informative: 5, positiveRate: 0.08 });

/**
 * A penguin-like set: species (3, text) from island (text), sex (text) and
 * four body measurements in mm and g, drawn per species and sex from normals
 * near the published Palmer penguin summaries. As in the real data, Torgersen
 * has only Adelie penguins, Biscoe Adelie and Gentoo, Dream Adelie and
 * Chinstrap. `emptySex` leaves that many training rows' sex cell empty; `id`
 * adds a leading id column.
 */
export function penguins(
  opts: { seed?: number; rows?: number; testRows?: number; emptySex?: number; id?: boolean } = {},
): Generated {
  const u = rng(opts.seed ?? 31);
  const n = normal(u);
  //            bill length, bill depth, flipper length, body mass (female means; males add `male`)
  const sp: Record<string, { mu: number[]; sd: number[]; male: number[]; islands: [string, number][] }> = {
    Adelie: {
      mu: [37.3, 17.6, 188, 3370],
      sd: [2.0, 0.9, 5.6, 270],
      male: [3.1, 1.6, 5, 670],
      islands: [
        ['Torgersen', 0.34],
        ['Biscoe', 0.29],
        ['Dream', 0.37],
      ],
    },
    Chinstrap: {
      mu: [46.6, 17.6, 192, 3530],
      sd: [3.1, 0.8, 5.8, 290],
      male: [4.5, 1.6, 8, 410],
      islands: [['Dream', 1]],
    },
    Gentoo: {
      mu: [45.6, 14.2, 213, 4680],
      sd: [2.1, 0.5, 4.0, 280],
      male: [3.9, 1.5, 9, 820],
      islands: [['Biscoe', 1]],
    },
  };
  const names = Object.keys(sp);
  const weights = [0.44, 0.2, 0.36];
  const draw = (rows: number, empty: number) => {
    const out: (string | number)[][] = [];
    for (let i = 0; i < rows; i++) {
      let r = u(),
        k = 0;
      while (k < names.length - 1 && r >= weights[k]!) {
        r -= weights[k]!;
        k++;
      }
      const s = sp[names[k]!]!;
      let q = u(),
        island = s.islands[0]![0];
      for (const [isl, p] of s.islands) {
        if (q < p) {
          island = isl;
          break;
        }
        q -= p;
      }
      const male = u() < 0.5;
      const m = s.mu.map((mu, j) => mu + (male ? s.male[j]! : 0) + s.sd[j]! * n());
      const row: (string | number)[] = [
        island,
        fix(m[0]!, 1),
        fix(m[1]!, 1),
        Math.round(m[2]!),
        Math.round(m[3]! / 25) * 25,
        i < empty ? '' : male ? 'MALE' : 'FEMALE',
        names[k]!,
      ];
      out.push(opts.id ? [`P${String(i + 1).padStart(4, '0')}`, ...row] : row);
    }
    return out;
  };
  const header = ['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex', 'species'];
  return {
    train: csv(opts.id ? ['id', ...header] : header, draw(opts.rows ?? 344, opts.emptySex ?? 0)),
    test: csv(opts.id ? ['id', ...header] : header, draw(opts.testRows ?? 2000, 0)),
    target: 'species',
  };
}

/** Split a CSV's lines (after an optional header line) into a training and a held-out part by a seeded shuffle. */
export function holdOut(
  text: string,
  header: boolean,
  fraction: number,
  seed: number,
): { train: string; test: string } {
  const lines = text.trim().split(/\r?\n/);
  const head = header ? [lines.shift()!] : [];
  const u = rng(seed);
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  const k = Math.round(lines.length * fraction);
  return {
    test: `${[...head, ...lines.slice(0, k)].join('\n')}\n`,
    train: `${[...head, ...lines.slice(k)].join('\n')}\n`,
  };
}
