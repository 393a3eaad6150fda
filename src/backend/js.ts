/**
 * The pure-TypeScript backend: every kernel of `Backend` (types.ts) as plain
 * loops over a Float32Array view of an ordinary WebAssembly.Memory.
 *
 * It plays three parts: the fallback where WebAssembly SIMD is missing, the
 * reference the wasm kernels are tested against, and the "pure JS" baseline of
 * the benchmarks. So it is straightforward but not slow on purpose: loops keep
 * their innermost index on contiguous memory, arithmetic is float64 (JS numbers)
 * with results rounded to float32 on store, and the only allocations are
 * float64 scratch rows that grow on demand and are then reused.
 *
 * Pointers are byte offsets; `ptr >> 2` indexes the float32 view. Every kernel
 * re-reads the view first, since the memory may have grown since the last call.
 */
import { Act, type Backend } from './types.js';
import { uniform } from './prng.js';
import { Heap, createMemory } from '../runtime/heap.js';
import { DataError } from '../errors.js';
import { SELU_ALPHA, SELU_SCALE, erfc, logCosh, normCdf, normPdf, sigmoid, softplus } from './js/math.js';

/** Keras's backend epsilon, the clip for losses on probabilities. */
const EPS = 1e-7;
const EPS_LO = Math.fround(EPS);
const EPS_HI = Math.fround(1 - EPS);
const SQRT1_2 = Math.SQRT1_2;
const MAX_PAGES = 32768; // 2 GiB: the largest a wasm32 memory may be on every engine we target

/**
 * Y[y0 + i] = act(Z[z0 + i]) for n elements. One tight loop per activation
 * (the switch runs once per call, not per element): a per-element dispatch
 * through a scalar function made the cheap activations ~20× slower.
 * Relu and friends test `z < 0` so a NaN passes through, as in the wasm kernels.
 */
function actForwardLoop(f: Float32Array, act: Act, p: number, z0: number, y0: number, n: number): void {
  switch (act) {
    case Act.Linear:
      if (z0 !== y0) f.copyWithin(y0, z0, z0 + n);
      return;
    case Act.Relu:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[y0 + i] = z < 0 ? 0 : z;
      }
      return;
    case Act.LeakyRelu:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[y0 + i] = z < 0 ? p * z : z;
      }
      return;
    case Act.Elu:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[y0 + i] = z > 0 ? z : p * Math.expm1(z);
      }
      return;
    case Act.Selu:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[y0 + i] = z > 0 ? SELU_SCALE * z : SELU_SCALE * SELU_ALPHA * Math.expm1(z);
      }
      return;
    case Act.Sigmoid:
      for (let i = 0; i < n; i++) f[y0 + i] = sigmoid(f[z0 + i]!);
      return;
    case Act.Tanh:
      for (let i = 0; i < n; i++) f[y0 + i] = Math.tanh(f[z0 + i]!);
      return;
    case Act.Exponential:
      for (let i = 0; i < n; i++) f[y0 + i] = Math.exp(f[z0 + i]!);
      return;
    case Act.Softplus:
      for (let i = 0; i < n; i++) f[y0 + i] = softplus(f[z0 + i]!);
      return;
    case Act.Softsign:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[y0 + i] = z / (1 + Math.abs(z));
      }
      return;
    case Act.Gelu:
      // For z < 0, 1 + erf(z/√2) cancels; erfc(−z/√2) keeps its relative accuracy.
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[y0 + i] = 0.5 * z * erfc(-z * SQRT1_2);
      }
      return;
    case Act.Swish:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[y0 + i] = z * sigmoid(z);
      }
      return;
    case Act.HardSigmoid: // Keras 3: relu6(z + 3)/6, as (z + 3)/6 in float64, rounded once
      for (let i = 0; i < n; i++) {
        const h = (f[z0 + i]! + 3) / 6;
        f[y0 + i] = h < 0 ? 0 : h > 1 ? 1 : h;
      }
      return;
    case Act.HardSigmoidLegacy:
      for (let i = 0; i < n; i++) {
        const h = 0.2 * f[z0 + i]! + 0.5;
        f[y0 + i] = h < 0 ? 0 : h > 1 ? 1 : h;
      }
      return;
    case Act.ReluMax:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[y0 + i] = z < 0 ? 0 : z > p ? p : z;
      }
      return;
    default:
      throw new DataError(`Unknown activation code ${String(act)}`);
  }
}

/**
 * dX = dY·act'(z) for n elements, from the forward output y (or from z where
 * actNeedsZ). The derivatives at kinks follow TF: relu'(0) = 0, leakyRelu'(0) = alpha.
 */
function actBackwardLoop(
  f: Float32Array,
  act: Act,
  p: number,
  z0: number,
  y0: number,
  g0: number,
  x0: number,
  n: number,
): void {
  switch (act) {
    case Act.Linear:
      if (x0 !== g0) f.copyWithin(x0, g0, g0 + n);
      return;
    case Act.Relu:
      for (let i = 0; i < n; i++) f[x0 + i] = f[y0 + i]! > 0 ? f[g0 + i]! : 0;
      return;
    case Act.LeakyRelu:
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!;
        f[x0 + i] = f[y0 + i]! > 0 ? g : p * g;
      }
      return;
    case Act.Elu: // alpha·e^z = y + alpha
      for (let i = 0; i < n; i++) {
        const y = f[y0 + i]!,
          g = f[g0 + i]!;
        f[x0 + i] = y > 0 ? g : g * (y + p);
      }
      return;
    case Act.Selu:
      for (let i = 0; i < n; i++) {
        const y = f[y0 + i]!,
          g = f[g0 + i]!;
        f[x0 + i] = y > 0 ? g * SELU_SCALE : g * (y + SELU_SCALE * SELU_ALPHA);
      }
      return;
    case Act.Sigmoid:
      for (let i = 0; i < n; i++) {
        const y = f[y0 + i]!;
        f[x0 + i] = f[g0 + i]! * y * (1 - y);
      }
      return;
    case Act.Tanh:
      for (let i = 0; i < n; i++) {
        const y = f[y0 + i]!;
        f[x0 + i] = f[g0 + i]! * (1 - y * y);
      }
      return;
    case Act.Exponential:
      for (let i = 0; i < n; i++) f[x0 + i] = f[g0 + i]! * f[y0 + i]!;
      return;
    case Act.Softplus: // y = log(1+e^z) ⇒ sigmoid(z) = 1 − e^−y; −expm1(−y) keeps the tiny-y case exact.
      for (let i = 0; i < n; i++) f[x0 + i] = -f[g0 + i]! * Math.expm1(-f[y0 + i]!);
      return;
    case Act.Softsign: // 1/(1+|z|)² = (1−|y|)²
      for (let i = 0; i < n; i++) {
        const t = 1 - Math.abs(f[y0 + i]!);
        f[x0 + i] = f[g0 + i]! * t * t;
      }
      return;
    case Act.Gelu:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!;
        f[x0 + i] = f[g0 + i]! * (normCdf(z) + z * normPdf(z));
      }
      return;
    case Act.Swish:
      for (let i = 0; i < n; i++) {
        const z = f[z0 + i]!,
          s = sigmoid(z);
        f[x0 + i] = f[g0 + i]! * (s + z * s * (1 - s));
      }
      return;
    case Act.HardSigmoid:
      for (let i = 0; i < n; i++) {
        const y = f[y0 + i]!;
        f[x0 + i] = y > 0 && y < 1 ? f[g0 + i]! / 6 : 0;
      }
      return;
    case Act.HardSigmoidLegacy:
      for (let i = 0; i < n; i++) {
        const y = f[y0 + i]!;
        f[x0 + i] = y > 0 && y < 1 ? 0.2 * f[g0 + i]! : 0;
      }
      return;
    case Act.ReluMax:
      for (let i = 0; i < n; i++) {
        const y = f[y0 + i]!;
        f[x0 + i] = y > 0 && y < p ? f[g0 + i]! : 0;
      }
      return;
    default:
      throw new DataError(`Unknown activation code ${String(act)}`);
  }
}

function checkLabel(v: number, i: number, N: number): number {
  if (!(Number.isInteger(v) && v >= 0 && v < N)) {
    throw new DataError(`Invalid class label at row ${i}: expected an integer in [0, ${N - 1}]. Received: ${v}`);
  }
  return v;
}

/** Create the pure-TypeScript backend on its own (non-shared) memory. */
/** One value of an LSTM/GRU cell's activation (the codes the cells support), as actForwardLoop computes it. */
function cellAct(code: Act, z: number): number {
  switch (code) {
    case Act.Linear:
      return z;
    case Act.Relu:
      return z < 0 ? 0 : z;
    case Act.Sigmoid:
      return sigmoid(z);
    case Act.HardSigmoid: {
      const h = (z + 3) / 6;
      return h < 0 ? 0 : h > 1 ? 1 : h;
    }
    case Act.HardSigmoidLegacy: {
      const h = 0.2 * z + 0.5;
      return h < 0 ? 0 : h > 1 ? 1 : h;
    }
    default:
      return Math.tanh(z);
  }
}
/** dy·act'(z) from the output y, as actBackwardLoop computes it. */
function cellGrad(code: Act, y: number, dy: number): number {
  switch (code) {
    case Act.Linear:
      return dy;
    case Act.Relu:
      return y > 0 ? dy : 0;
    case Act.Sigmoid:
      return dy * y * (1 - y);
    case Act.HardSigmoid:
      return y > 0 && y < 1 ? dy / 6 : 0;
    case Act.HardSigmoidLegacy:
      return y > 0 && y < 1 ? 0.2 * dy : 0;
    default:
      return dy * ((1 - y) * (1 + y));
  }
}

export function createJsBackend(initialPages = 16): Backend {
  const heap = new Heap(createMemory(Math.max(2, initialPages), MAX_PAGES, false), MAX_PAGES);
  /** Re-read the float32 view: any allocation may have grown the memory. */
  const mem = (): Float32Array => {
    heap.refresh();
    return heap.f32;
  };

  // Float64 scratch (a row accumulator, a gathered column, a softmax row):
  // grown geometrically, never shrunk, so steady-state calls allocate nothing.
  let s1 = new Float64Array(256);
  let s2 = new Float64Array(256);
  const scratch1 = (n: number): Float64Array => {
    if (s1.length < n) s1 = new Float64Array(Math.max(n, s1.length * 2));
    return s1;
  };
  const scratch2 = (n: number): Float64Array => {
    if (s2.length < n) s2 = new Float64Array(Math.max(n, s2.length * 2));
    return s2;
  };

  /** Store one finished row: C = alpha·acc + beta·C (beta = 0 overwrites, dropping NaN garbage). */
  function storeRow(f: Float32Array, c: number, acc: Float64Array, N: number, alpha: number, beta: number): void {
    if (beta === 0) for (let j = 0; j < N; j++) f[c + j] = alpha * acc[j]!;
    else for (let j = 0; j < N; j++) f[c + j] = alpha * acc[j]! + beta * f[c + j]!;
  }

  const backend: Backend = {
    name: 'js',
    heap,
    // Scratch lives in float64 JS arrays (accumulating in float64 is what makes
    // this the reference), so no workspace is needed in the memory.
    gemmWorkspaceBytes: 0,

    gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, _ws) {
      if (M <= 0 || N <= 0) return;
      const f = mem();
      const a0 = A >> 2,
        b0 = B >> 2,
        c0 = C >> 2;
      if (K <= 0) {
        for (let i = 0; i < M; i++) {
          const c = c0 + i * ldc;
          if (beta === 0) f.fill(0, c, c + N);
          else for (let j = 0; j < N; j++) f[c + j] = beta * f[c + j]!;
        }
        return;
      }
      if (!transB) {
        // i-k-j: the inner loop runs along rows of B and the float64 row of C,
        // four rows of B at a time so each pass over the accumulator does four
        // multiply-adds. Row i of op(A) is first gathered into `col` (a strided
        // column when A is transposed).
        const acc = scratch1(N);
        const col = scratch2(K);
        for (let i = 0; i < M; i++) {
          if (transA) for (let k = 0; k < K; k++) col[k] = f[a0 + k * lda + i]!;
          else {
            const a = a0 + i * lda;
            for (let k = 0; k < K; k++) col[k] = f[a + k]!;
          }
          acc.fill(0, 0, N);
          let k = 0;
          for (; k + 4 <= K; k += 4) {
            const x0 = col[k]!,
              x1 = col[k + 1]!,
              x2 = col[k + 2]!,
              x3 = col[k + 3]!;
            const r0 = b0 + k * ldb,
              r1 = r0 + ldb,
              r2 = r1 + ldb,
              r3 = r2 + ldb;
            for (let j = 0; j < N; j++) {
              acc[j]! += x0 * f[r0 + j]! + x1 * f[r1 + j]! + x2 * f[r2 + j]! + x3 * f[r3 + j]!;
            }
          }
          for (; k < K; k++) {
            const x = col[k]!,
              r = b0 + k * ldb;
            for (let j = 0; j < N; j++) acc[j]! += x * f[r + j]!;
          }
          storeRow(f, c0 + i * ldc, acc, N, alpha, beta);
        }
        return;
      }
      // B stored N×K: C[i,j] is the dot product of row i of op(A) with row j of
      // B, both contiguous once a transposed A's column is gathered.
      const acc = scratch1(N);
      const col = scratch2(K);
      for (let i = 0; i < M; i++) {
        if (transA) for (let k = 0; k < K; k++) col[k] = f[a0 + k * lda + i]!;
        else {
          const a = a0 + i * lda;
          for (let k = 0; k < K; k++) col[k] = f[a + k]!;
        }
        for (let j = 0; j < N; j++) {
          const b = b0 + j * ldb;
          // Four partial sums: shorter dependency chains, and fewer rounding steps in a row.
          let s0 = 0,
            s1 = 0,
            s2 = 0,
            s3 = 0;
          let k = 0;
          for (; k + 4 <= K; k += 4) {
            s0 += col[k]! * f[b + k]!;
            s1 += col[k + 1]! * f[b + k + 1]!;
            s2 += col[k + 2]! * f[b + k + 2]!;
            s3 += col[k + 3]! * f[b + k + 3]!;
          }
          for (; k < K; k++) s0 += col[k]! * f[b + k]!;
          acc[j] = s0 + s1 + (s2 + s3);
        }
        storeRow(f, c0 + i * ldc, acc, N, alpha, beta);
      }
    },

    biasAct(act, param, Z, bias, Y, M, N) {
      const f = mem();
      const z0 = Z >> 2,
        b0 = bias >> 2;
      if (bias !== 0) {
        // Z is stored back (rounded to float32) before the activation reads it,
        // so Y = act(Z) holds exactly for the Z a backward pass will see.
        for (let i = 0; i < M; i++) {
          const zr = z0 + i * N;
          for (let j = 0; j < N; j++) f[zr + j] = f[zr + j]! + f[b0 + j]!;
        }
      }
      actForwardLoop(f, act, param, z0, Y >> 2, M * N);
    },

    actBackward(act, param, Z, Y, dY, dX, n) {
      actBackwardLoop(mem(), act, param, Z >> 2, Y >> 2, dY >> 2, dX >> 2, n);
    },

    softmaxRows(X, Y, M, N) {
      const f = mem();
      const x0 = X >> 2,
        y0 = Y >> 2;
      const e = scratch1(N);
      for (let i = 0; i < M; i++) {
        const xr = x0 + i * N,
          yr = y0 + i * N;
        let mx = -Infinity;
        for (let j = 0; j < N; j++) {
          const v = f[xr + j]!;
          if (v > mx) mx = v;
        }
        let s = 0;
        for (let j = 0; j < N; j++) {
          const v = Math.exp(f[xr + j]! - mx);
          e[j] = v;
          s += v;
        }
        const inv = 1 / s;
        for (let j = 0; j < N; j++) f[yr + j] = e[j]! * inv;
      }
    },

    logSoftmaxRows(X, Y, M, N) {
      const f = mem();
      const x0 = X >> 2,
        y0 = Y >> 2;
      for (let i = 0; i < M; i++) {
        const xr = x0 + i * N,
          yr = y0 + i * N;
        let mx = -Infinity;
        for (let j = 0; j < N; j++) {
          const v = f[xr + j]!;
          if (v > mx) mx = v;
        }
        let s = 0;
        for (let j = 0; j < N; j++) s += Math.exp(f[xr + j]! - mx);
        const off = mx + Math.log(s);
        for (let j = 0; j < N; j++) f[yr + j] = f[xr + j]! - off;
      }
    },

    softmaxBackward(Y, dY, dX, M, N) {
      const f = mem();
      const y0 = Y >> 2,
        g0 = dY >> 2,
        x0 = dX >> 2;
      for (let i = 0; i < M; i++) {
        const r = i * N;
        let dot = 0;
        for (let j = 0; j < N; j++) dot += f[g0 + r + j]! * f[y0 + r + j]!;
        for (let j = 0; j < N; j++) f[x0 + r + j] = f[y0 + r + j]! * (f[g0 + r + j]! - dot);
      }
    },

    colSum(X, M, N, out, beta) {
      const f = mem();
      const x0 = X >> 2,
        o0 = out >> 2;
      // Rows in ascending order, each column's sum in float64: a fixed order.
      const acc = scratch1(N);
      acc.fill(0, 0, N);
      for (let i = 0; i < M; i++) {
        const r = x0 + i * N;
        for (let j = 0; j < N; j++) acc[j]! += f[r + j]!;
      }
      if (beta === 0) for (let j = 0; j < N; j++) f[o0 + j] = acc[j]!;
      else for (let j = 0; j < N; j++) f[o0 + j] = beta * f[o0 + j]! + acc[j]!;
    },

    sumSquares(X, n) {
      const f = mem();
      const x0 = X >> 2;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const v = f[x0 + i]!;
        s += v * v;
      }
      return s;
    },

    probeStep(tab, L, M, acc, update) {
      if (update !== 0) backend.probeUpdate(tab, L, acc);
      const f = mem(),
        t = heap.i32,
        d = heap.f64;
      for (let i = 0; i < L; i++) {
        const r = (tab >> 2) + 16 * i,
          a = (acc >> 3) + 4 * i;
        const w = t[r + 1]!,
          n = t[r + 2]!,
          out = t[r + 3]!,
          U = t[r + 4]!;
        d[a] = d[a]! + Math.sqrt(backend.sumSquares(t[r]!, n));
        backend.colSum(out, M, U, t[r + 5]!, 1);
        d[a + 1] = d[a + 1]! + backend.sumSquares(out, M * U);
        if (t[r + 7] !== 0) {
          const lo = f[r + 8]!,
            hi = f[r + 9]!;
          let c = 0;
          for (let k = out >> 2; k < (out >> 2) + M * U; k++) if (f[k]! < lo || f[k]! > hi) c++;
          d[a + 3] = d[a + 3]! + c;
        }
        f.copyWithin(t[r + 6]! >> 2, w >> 2, (w >> 2) + n);
      }
    },

    probeUpdate(tab, L, acc) {
      const f = mem(),
        t = heap.i32,
        d = heap.f64;
      for (let i = 0; i < L; i++) {
        const r = (tab >> 2) + 16 * i,
          a = (acc >> 3) + 4 * i;
        const w = t[r + 1]! >> 2,
          n = t[r + 2]!,
          b = t[r + 6]! >> 2;
        const w2 = backend.sumSquares(w << 2, n);
        if (w2 === 0) continue;
        let dw = 0;
        for (let j = 0; j < n; j++) {
          // The difference in float32, as the kernel takes it.
          const x = Math.fround(f[w + j]! - f[b + j]!);
          dw += x * x;
        }
        d[a + 2] = d[a + 2]! + Math.sqrt(dw / w2);
      }
    },

    scale(X, n, s) {
      const f = mem();
      const x0 = X >> 2;
      for (let i = 0; i < n; i++) f[x0 + i] = f[x0 + i]! * s;
    },

    clipValue(X, n, c) {
      const f = mem();
      const x0 = X >> 2;
      for (let i = 0; i < n; i++) {
        const v = f[x0 + i]!;
        f[x0 + i] = v > c ? c : v < -c ? -c : v;
      }
    },

    mul(X, Y, Z, n) {
      const f = mem();
      const x0 = X >> 2,
        y0 = Y >> 2,
        z0 = Z >> 2;
      for (let i = 0; i < n; i++) f[z0 + i] = f[x0 + i]! * f[y0 + i]!;
    },

    axpy(n, alpha, X, Y) {
      const f = mem();
      const x0 = X >> 2,
        y0 = Y >> 2;
      for (let i = 0; i < n; i++) f[y0 + i] = alpha * f[x0 + i]! + f[y0 + i]!;
    },

    l1l2(W, G, n, l1, l2) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2;
      let sa = 0,
        sq = 0;
      for (let i = 0; i < n; i++) {
        const w = f[w0 + i]!;
        sa += Math.abs(w);
        sq += w * w;
        if (G !== 0) f[g0 + i] = f[g0 + i]! + l1 * Math.sign(w) + 2 * l2 * w;
      }
      return l1 * sa + l2 * sq;
    },

    // ------------------------------------------------------------ losses
    // Each walks rows: the row's loss in float64, then total += w_i·loss_i and,
    // if G ≠ 0, G = (gradScale·w_i/N)·∂(Σ_j term)/∂p for the mean losses.

    mse(T, P, G, W, M, N, gradScale) {
      const f = mem();
      const t0 = T >> 2,
        p0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = (2 * gradScale * w) / N;
        if (w === 0) {
          if (G !== 0) f.fill(0, g0 + r, g0 + r + N);
          continue;
        } // weight 0: no loss, zero gradient (no 0·∞)
        let s = 0;
        for (let j = 0; j < N; j++) {
          const d = f[p0 + r + j]! - f[t0 + r + j]!;
          s += d * d;
          if (G !== 0) f[g0 + r + j] = gs * d;
        }
        total += w * (s / N);
      }
      return total;
    },

    mae(T, P, G, W, M, N, gradScale) {
      const f = mem();
      const t0 = T >> 2,
        p0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = (gradScale * w) / N;
        if (w === 0) {
          if (G !== 0) f.fill(0, g0 + r, g0 + r + N);
          continue;
        } // weight 0: no loss, zero gradient (no 0·∞)
        let s = 0;
        for (let j = 0; j < N; j++) {
          const d = f[p0 + r + j]! - f[t0 + r + j]!;
          s += Math.abs(d);
          if (G !== 0) f[g0 + r + j] = d > 0 ? gs : d < 0 ? -gs : 0;
        }
        total += w * (s / N);
      }
      return total;
    },

    huber(T, P, G, W, M, N, gradScale, delta) {
      const f = mem();
      const t0 = T >> 2,
        p0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = (gradScale * w) / N;
        if (w === 0) {
          if (G !== 0) f.fill(0, g0 + r, g0 + r + N);
          continue;
        } // weight 0: no loss, zero gradient (no 0·∞)
        let s = 0;
        for (let j = 0; j < N; j++) {
          const d = f[p0 + r + j]! - f[t0 + r + j]!;
          const a = Math.abs(d);
          if (a <= delta) {
            s += 0.5 * d * d;
            if (G !== 0) f[g0 + r + j] = gs * d;
          } else {
            s += delta * (a - 0.5 * delta);
            if (G !== 0) f[g0 + r + j] = d > 0 ? gs * delta : -gs * delta;
          }
        }
        total += w * (s / N);
      }
      return total;
    },

    logCosh(T, P, G, W, M, N, gradScale) {
      const f = mem();
      const t0 = T >> 2,
        p0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = (gradScale * w) / N;
        if (w === 0) {
          if (G !== 0) f.fill(0, g0 + r, g0 + r + N);
          continue;
        } // weight 0: no loss, zero gradient (no 0·∞)
        let s = 0;
        for (let j = 0; j < N; j++) {
          const d = f[p0 + r + j]! - f[t0 + r + j]!;
          s += logCosh(d);
          if (G !== 0) f[g0 + r + j] = gs * Math.tanh(d);
        }
        total += w * (s / N);
      }
      return total;
    },

    hinge(T, P, G, W, M, N, gradScale) {
      // Keras maps {0,1} labels to {−1,1} when ALL labels are 0 or 1; here the
      // mapping is per element (t = 0 → −1, t = 1 → 1, anything else as is),
      // which agrees with Keras on {0,1} and on {−1,1} label sets.
      const f = mem();
      const t0 = T >> 2,
        p0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = (gradScale * w) / N;
        if (w === 0) {
          if (G !== 0) f.fill(0, g0 + r, g0 + r + N);
          continue;
        } // weight 0: no loss, zero gradient (no 0·∞)
        let s = 0;
        for (let j = 0; j < N; j++) {
          let t = f[t0 + r + j]!;
          if (t === 0) t = -1;
          const m = 1 - t * f[p0 + r + j]!;
          if (m > 0) {
            s += m;
            if (G !== 0) f[g0 + r + j] = -gs * t;
          } else if (G !== 0) f[g0 + r + j] = 0;
        }
        total += w * (s / N);
      }
      return total;
    },

    bce(T, P, G, W, M, N, gradScale, smooth = 0) {
      // The gradient of the clip is 0 outside [eps, 1−eps], as in Keras/TF.
      // Label smoothing: t' = t·(1 − s) + s/2.
      const s0 = smooth > 0 ? smooth : 0;
      const f = mem();
      const t0 = T >> 2,
        p0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = (gradScale * w) / N;
        if (w === 0) {
          if (G !== 0) f.fill(0, g0 + r, g0 + r + N);
          continue;
        } // weight 0: no loss, zero gradient (no 0·∞)
        let s = 0;
        for (let j = 0; j < N; j++) {
          const t = s0 === 0 ? f[t0 + r + j]! : f[t0 + r + j]! * (1 - s0) + 0.5 * s0;
          const raw = f[p0 + r + j]!;
          const p = raw < EPS_LO ? EPS_LO : raw > EPS_HI ? EPS_HI : raw;
          s -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
          if (G !== 0) f[g0 + r + j] = raw < EPS_LO || raw > EPS_HI ? 0 : gs * (-t / p + (1 - t) / (1 - p));
        }
        total += w * (s / N);
      }
      return total;
    },

    cce(T, P, G, W, M, N, gradScale, smooth = 0) {
      // Keras 3: each row of P is rescaled to sum to 1 (p = q/S) before the
      // clip; t' = t·(1 − s) + s/N (label smoothing). The gradient with respect
      // to q goes through the rescale: G_k = c·(g_k − Σ_j g_j·p_j)/S with
      // g_j = −t'_j/p_j inside the clip, 0 outside; Σ_j g_j·p_j = −Σ_{inside} t'_j.
      const s0 = smooth > 0 ? smooth : 0;
      const f = mem();
      const t0 = T >> 2,
        p0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N;
        if (w === 0) {
          if (G !== 0) f.fill(0, g0 + r, g0 + r + N);
          continue;
        } // weight 0: no loss, zero gradient (no 0·∞)
        let S = 0;
        for (let j = 0; j < N; j++) S += f[p0 + r + j]!;
        if (!(S > 0)) S = 1; // a row summing to 0 is left unscaled (Keras would divide 0 by 0)
        let s = 0,
          tin = 0;
        for (let j = 0; j < N; j++) {
          const t = f[t0 + r + j]! * (1 - s0) + s0 / N;
          const p = f[p0 + r + j]! / S;
          const pc = p < EPS_LO ? EPS_LO : p > EPS_HI ? EPS_HI : p;
          if (t !== 0) s -= t * Math.log(pc);
          if (p >= EPS_LO && p <= EPS_HI) tin += t;
        }
        total += w * s;
        if (G === 0) continue;
        const c = (gradScale * w) / S;
        for (let j = 0; j < N; j++) {
          const t = f[t0 + r + j]! * (1 - s0) + s0 / N;
          const p = f[p0 + r + j]! / S;
          const g = p >= EPS_LO && p <= EPS_HI ? -t / p : 0;
          f[g0 + r + j] = c * (g + tin);
        }
      }
      return total;
    },

    sparseCce(L, P, G, W, M, N, gradScale, ignore = NaN) {
      // As cce with a one-hot target: p = q_c/S, loss −ln clip(p); inside the
      // clip G = c/S everywhere and c·(1 − 1/p)/S at the label. A row labelled
      // `ignore` (NaN: none) gets no loss and a zero gradient.
      const f = mem();
      const l0 = L >> 2,
        p0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N;
        if (G !== 0) f.fill(0, g0 + r, g0 + r + N);
        if (f[l0 + i]! === ignore) continue;
        const c = checkLabel(f[l0 + i]!, i, N);
        if (w === 0) continue; // weight 0: no loss, zero gradient (no 0·∞)
        let S = 0;
        for (let j = 0; j < N; j++) S += f[p0 + r + j]!;
        if (!(S > 0)) S = 1; // as in cce
        const p = f[p0 + r + c]! / S;
        const pc = p < EPS_LO ? EPS_LO : p > EPS_HI ? EPS_HI : p;
        total -= w * Math.log(pc);
        if (G !== 0 && p >= EPS_LO && p <= EPS_HI) {
          const k = (gradScale * w) / S;
          f.fill(k, g0 + r, g0 + r + N);
          f[g0 + r + c] = k * (1 - 1 / p);
        }
      }
      return total;
    },

    sigmoidBce(T, Z, P, G, W, M, N, gradScale, smooth = 0) {
      const s0 = smooth > 0 ? smooth : 0; // label smoothing: t' = t·(1 − s) + s/2
      const f = mem();
      const t0 = T >> 2,
        z0 = Z >> 2,
        q0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = (gradScale * w) / N;
        let s = 0;
        for (let j = 0; j < N; j++) {
          const z = f[z0 + r + j]!,
            t = s0 === 0 ? f[t0 + r + j]! : f[t0 + r + j]! * (1 - s0) + 0.5 * s0;
          s += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
          const p = sigmoid(z);
          if (P !== 0) f[q0 + r + j] = p;
          if (G !== 0) f[g0 + r + j] = gs * (p - t);
        }
        total += w * (s / N);
      }
      return total;
    },

    softmaxCce(T, Z, P, G, W, M, N, gradScale, smooth = 0) {
      const s0 = smooth > 0 ? smooth : 0; // label smoothing: t' = t·(1 − s) + s/N
      const f = mem();
      const t0 = T >> 2,
        z0 = Z >> 2,
        q0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      const e = scratch1(N);
      let total = 0;
      for (let i = 0; i < M; i++) {
        const w = W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = gradScale * w;
        let mx = -Infinity;
        for (let j = 0; j < N; j++) {
          const v = f[z0 + r + j]!;
          if (v > mx) mx = v;
        }
        let sum = 0;
        for (let j = 0; j < N; j++) {
          const v = Math.exp(f[z0 + r + j]! - mx);
          e[j] = v;
          sum += v;
        }
        const lse = mx + Math.log(sum),
          inv = 1 / sum;
        let s = 0;
        for (let j = 0; j < N; j++) {
          const t = s0 === 0 ? f[t0 + r + j]! : f[t0 + r + j]! * (1 - s0) + s0 / N;
          // t·log_softmax, skipping t = 0 so a −Infinity logit does not give 0·∞.
          if (t !== 0) s -= t * (f[z0 + r + j]! - lse);
          const p = e[j]! * inv;
          if (P !== 0) f[q0 + r + j] = p;
          if (G !== 0) f[g0 + r + j] = gs * (p - t);
        }
        total += w * s;
      }
      return total;
    },

    sparseSoftmaxCce(L, Z, P, G, W, M, N, gradScale, ignore = NaN) {
      const f = mem();
      const l0 = L >> 2,
        z0 = Z >> 2,
        q0 = P >> 2,
        g0 = G >> 2,
        w0 = W >> 2;
      const e = scratch1(N);
      let total = 0;
      for (let i = 0; i < M; i++) {
        // A row labelled `ignore` (NaN: none): weight 0 and a stand-in label; P is still written.
        const ignored = f[l0 + i]! === ignore;
        const w = ignored ? 0 : W !== 0 ? f[w0 + i]! : 1;
        const r = i * N,
          gs = gradScale * w;
        const c = ignored ? 0 : checkLabel(f[l0 + i]!, i, N);
        let mx = -Infinity;
        for (let j = 0; j < N; j++) {
          const v = f[z0 + r + j]!;
          if (v > mx) mx = v;
        }
        let sum = 0;
        for (let j = 0; j < N; j++) {
          const v = Math.exp(f[z0 + r + j]! - mx);
          e[j] = v;
          sum += v;
        }
        if (w !== 0) total -= w * (f[z0 + r + c]! - mx - Math.log(sum));
        const inv = 1 / sum;
        for (let j = 0; j < N; j++) {
          const p = e[j]! * inv;
          if (P !== 0) f[q0 + r + j] = p;
          if (G !== 0) f[g0 + r + j] = gs * (j === c ? p - 1 : p);
        }
      }
      return total;
    },

    // ------------------------------------------------------------ batch normalization
    // Row-major M×N with statistics per column: each pass walks rows so the
    // inner loop stays contiguous, with per-column float64 accumulators.

    bnForwardTrain(X, Y, M, N, gamma, beta, mean, invStd, eps, movMean, movVar, momentum) {
      const f = mem();
      if (M <= 0 || N <= 0) return;
      const x0 = X >> 2,
        y0 = Y >> 2,
        m0 = mean >> 2,
        s0 = invStd >> 2;
      const mu = scratch1(N),
        vr = scratch2(N);
      mu.fill(0, 0, N);
      vr.fill(0, 0, N);
      for (let i = 0; i < M; i++) {
        const r = x0 + i * N;
        for (let j = 0; j < N; j++) mu[j]! += f[r + j]!;
      }
      for (let j = 0; j < N; j++) mu[j] = mu[j]! / M;
      // Two passes (mean first, then squared deviations): no E[x²]−E[x]² cancellation.
      for (let i = 0; i < M; i++) {
        const r = x0 + i * N;
        for (let j = 0; j < N; j++) {
          const d = f[r + j]! - mu[j]!;
          vr[j]! += d * d;
        }
      }
      for (let j = 0; j < N; j++) {
        const v = vr[j]! / M;
        vr[j] = v;
        f[m0 + j] = mu[j]!;
        f[s0 + j] = 1 / Math.sqrt(v + eps);
        if (movMean !== 0) {
          f[(movMean >> 2) + j] = momentum * f[(movMean >> 2) + j]! + (1 - momentum) * mu[j]!;
          f[(movVar >> 2) + j] = momentum * f[(movVar >> 2) + j]! + (1 - momentum) * v;
        }
      }
      // Normalize with the stored (float32) mean and invStd, the values bnBackward will read.
      const g0 = gamma >> 2,
        b0 = beta >> 2;
      for (let i = 0; i < M; i++) {
        const r = i * N;
        for (let j = 0; j < N; j++) {
          let v = (f[x0 + r + j]! - f[m0 + j]!) * f[s0 + j]!;
          if (gamma !== 0) v *= f[g0 + j]!;
          if (beta !== 0) v += f[b0 + j]!;
          f[y0 + r + j] = v;
        }
      }
    },

    bnForwardInfer(X, Y, M, N, gamma, beta, movMean, movVar, eps) {
      const f = mem();
      const x0 = X >> 2,
        y0 = Y >> 2,
        mm = movMean >> 2,
        mv = movVar >> 2,
        g0 = gamma >> 2,
        b0 = beta >> 2;
      const inv = scratch1(N);
      for (let j = 0; j < N; j++) inv[j] = 1 / Math.sqrt(f[mv + j]! + eps);
      for (let i = 0; i < M; i++) {
        const r = i * N;
        for (let j = 0; j < N; j++) {
          let v = (f[x0 + r + j]! - f[mm + j]!) * inv[j]!;
          if (gamma !== 0) v *= f[g0 + j]!;
          if (beta !== 0) v += f[b0 + j]!;
          f[y0 + r + j] = v;
        }
      }
    },

    bnBackward(X, dY, dX, M, N, gamma, mean, invStd, dGamma, dBeta) {
      const f = mem();
      if (M <= 0 || N <= 0) return;
      const x0 = X >> 2,
        gy = dY >> 2,
        gx = dX >> 2,
        m0 = mean >> 2,
        s0 = invStd >> 2,
        g0 = gamma >> 2;
      const sb = scratch1(N),
        sg = scratch2(N);
      sb.fill(0, 0, N);
      sg.fill(0, 0, N);
      for (let i = 0; i < M; i++) {
        const r = i * N;
        for (let j = 0; j < N; j++) {
          const dy = f[gy + r + j]!;
          sb[j]! += dy;
          sg[j]! += dy * (f[x0 + r + j]! - f[m0 + j]!) * f[s0 + j]!;
        }
      }
      if (dBeta !== 0) for (let j = 0; j < N; j++) f[(dBeta >> 2) + j] = sb[j]!;
      if (dGamma !== 0) for (let j = 0; j < N; j++) f[(dGamma >> 2) + j] = sg[j]!;
      // dX = gamma·invStd/M · (M·dY − Σ dY − x̂·Σ dY·x̂). Written element by
      // element after reading the same element of X, so dX may alias X.
      for (let i = 0; i < M; i++) {
        const r = i * N;
        for (let j = 0; j < N; j++) {
          const is = f[s0 + j]!;
          const g = gamma !== 0 ? f[g0 + j]! : 1;
          const xh = (f[x0 + r + j]! - f[m0 + j]!) * is;
          f[gx + r + j] = ((g * is) / M) * (M * f[gy + r + j]! - sb[j]! - xh * sg[j]!);
        }
      }
    },

    dropout(X, Y, mask, n, rate, seed, offset) {
      const f = mem();
      const x0 = X >> 2,
        y0 = Y >> 2,
        k0 = mask >> 2;
      // float32 threshold and scale, exactly as the AssemblyScript kernel computes them.
      const r = Math.fround(rate);
      const s = Math.fround(1 / Math.fround(1 - r));
      for (let i = 0; i < n; i++) {
        const m = uniform(seed, offset + i) >= r ? s : 0;
        f[k0 + i] = m;
        // A product of two float32 values is exact in float64, so storing rounds
        // it once: bit-identical to f32.mul.
        f[y0 + i] = f[x0 + i]! * m;
      }
    },

    // ------------------------------------------------------------ optimizers
    sgd(W, G, n, lr) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2;
      for (let i = 0; i < n; i++) f[w0 + i] = f[w0 + i]! - lr * f[g0 + i]!;
    },

    sgdMomentum(W, G, V, n, lr, momentum, nesterov) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        v0 = V >> 2;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!;
        const v = momentum * f[v0 + i]! - lr * g;
        f[v0 + i] = v;
        f[w0 + i] = f[w0 + i]! + (nesterov ? momentum * v - lr * g : v);
      }
    },

    adagrad(W, G, A, n, lr, eps) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        a0 = A >> 2;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!;
        const a = f[a0 + i]! + g * g;
        f[a0 + i] = a;
        f[w0 + i] = f[w0 + i]! - (lr * g) / Math.sqrt(a + eps);
      }
    },

    rmsprop(W, G, V, MG, MOM, n, lr, rho, momentum, eps) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        v0 = V >> 2,
        mg0 = MG >> 2,
        mo0 = MOM >> 2;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!;
        const v = rho * f[v0 + i]! + (1 - rho) * g * g;
        f[v0 + i] = v;
        let denom = v;
        if (MG !== 0) {
          const mg = rho * f[mg0 + i]! + (1 - rho) * g;
          f[mg0 + i] = mg;
          denom = v - mg * mg;
        }
        const inc = (lr * g) / Math.sqrt(denom + eps);
        if (MOM !== 0) {
          const mo = momentum * f[mo0 + i]! + inc;
          f[mo0 + i] = mo;
          f[w0 + i] = f[w0 + i]! - mo;
        } else {
          f[w0 + i] = f[w0 + i]! - inc;
        }
      }
    },

    adam(W, G, M, V, VMAX, n, alpha, beta1, beta2, eps) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        m0 = M >> 2,
        v0 = V >> 2,
        x0 = VMAX >> 2;
      const c1 = 1 - beta1,
        c2 = 1 - beta2;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!;
        let m = f[m0 + i]!;
        m += (g - m) * c1;
        let v = f[v0 + i]!;
        v += (g * g - v) * c2;
        f[m0 + i] = m;
        f[v0 + i] = v;
        if (VMAX !== 0) {
          const vm = Math.max(f[x0 + i]!, v);
          f[x0 + i] = vm;
          v = vm;
        }
        f[w0 + i] = f[w0 + i]! - (alpha * m) / (Math.sqrt(v) + eps);
      }
    },

    adadelta(W, G, A, D, n, lr, rho, eps) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        a0 = A >> 2,
        d0 = D >> 2;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!;
        const a = rho * f[a0 + i]! + (1 - rho) * g * g;
        f[a0 + i] = a;
        const dd = f[d0 + i]!;
        const d = (Math.sqrt(dd + eps) / Math.sqrt(a + eps)) * g;
        f[d0 + i] = rho * dd + (1 - rho) * d * d;
        f[w0 + i] = f[w0 + i]! - lr * d;
      }
    },

    adamax(W, G, M, U, n, alpha, beta1, beta2, eps) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        m0 = M >> 2,
        u0 = U >> 2;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!;
        const m = beta1 * f[m0 + i]! + (1 - beta1) * g;
        const u = Math.max(beta2 * f[u0 + i]!, Math.abs(g));
        f[m0 + i] = m;
        f[u0 + i] = u;
        f[w0 + i] = f[w0 + i]! - (alpha * m) / (u + eps);
      }
    },

    lion(W, G, M, n, lr, beta1, beta2) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        m0 = M >> 2;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!,
          m = f[m0 + i]!;
        f[w0 + i] = f[w0 + i]! - lr * Math.sign(beta1 * m + (1 - beta1) * g);
        f[m0 + i] = beta2 * m + (1 - beta2) * g;
      }
    },

    im2col(X, rows, M, H, W, C, OH, OW, kh, kw, sh, sw, dh, dw, top, left) {
      const f = mem();
      let o = rows >> 2;
      const sample = H * W * C;
      for (let n = 0; n < M; n++) {
        const base = (X >> 2) + n * sample;
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh - top + i * dh;
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw - left + j * dw;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) f.fill(0, o, o + C);
                else {
                  const src = base + (iy * W + ix) * C;
                  f.copyWithin(o, src, src + C);
                }
                o += C;
              }
            }
          }
        }
      }
    },

    col2im(rows, dX, M, H, W, C, OH, OW, kh, kw, sh, sw, dh, dw, top, left) {
      const f = mem();
      const sample = H * W * C,
        d0 = dX >> 2;
      f.fill(0, d0, d0 + M * sample);
      let o = rows >> 2;
      for (let n = 0; n < M; n++) {
        const base = d0 + n * sample;
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh - top + i * dh;
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw - left + j * dw;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                  const dst = base + (iy * W + ix) * C;
                  for (let c = 0; c < C; c++) f[dst + c] = Math.fround(f[dst + c]! + f[o + c]!);
                }
                o += C;
              }
            }
          }
        }
      }
    },

    maxPool(X, Y, arg, M, H, W, C, OH, OW, kh, kw, sh, sw, top, left) {
      const f = mem();
      let y = Y >> 2,
        a = arg >> 2;
      for (let n = 0; n < M; n++) {
        const xs = (X >> 2) + n * H * W * C;
        for (let oy = 0; oy < OH; oy++) {
          const y0 = Math.max(oy * sh - top, 0),
            y1 = Math.min(oy * sh - top + kh, H);
          for (let ox = 0; ox < OW; ox++) {
            const x0 = Math.max(ox * sw - left, 0),
              x1 = Math.min(ox * sw - left + kw, W);
            for (let c = 0; c < C; c++) {
              let best = -Infinity,
                at = (y0 * W + x0) * C + c;
              for (let iy = y0; iy < y1; iy++)
                for (let ix = x0; ix < x1; ix++) {
                  const i = (iy * W + ix) * C + c,
                    v = f[xs + i]!;
                  if (v > best || (v !== v && best === -Infinity)) {
                    best = v;
                    at = i;
                  }
                }
              f[y + c] = best;
              if (arg !== 0) f[a + c] = at;
            }
            y += C;
            a += C;
          }
        }
      }
    },

    maxPoolBackward(dY, arg, dX, M, inSample, outSample) {
      const f = mem();
      f.fill(0, dX >> 2, (dX >> 2) + M * inSample);
      for (let n = 0; n < M; n++) {
        const d = (dX >> 2) + n * inSample,
          g = (dY >> 2) + n * outSample,
          a = (arg >> 2) + n * outSample;
        for (let o = 0; o < outSample; o++) {
          const p = d + f[a + o]!;
          f[p] = Math.fround(f[p]! + f[g + o]!);
        }
      }
    },

    avgPool(X, Y, M, H, W, C, OH, OW, kh, kw, sh, sw, top, left) {
      const f = mem();
      let y = Y >> 2;
      for (let n = 0; n < M; n++) {
        const xs = (X >> 2) + n * H * W * C;
        for (let oy = 0; oy < OH; oy++) {
          const y0 = Math.max(oy * sh - top, 0),
            y1 = Math.min(oy * sh - top + kh, H);
          for (let ox = 0; ox < OW; ox++) {
            const x0 = Math.max(ox * sw - left, 0),
              x1 = Math.min(ox * sw - left + kw, W);
            const inv = Math.fround(1 / ((y1 - y0) * (x1 - x0)));
            for (let c = 0; c < C; c++) {
              let sum = 0;
              for (let iy = y0; iy < y1; iy++)
                for (let ix = x0; ix < x1; ix++) sum = Math.fround(sum + f[xs + (iy * W + ix) * C + c]!);
              f[y + c] = sum * inv;
            }
            y += C;
          }
        }
      }
    },

    avgPoolBackward(dY, dX, M, H, W, C, OH, OW, kh, kw, sh, sw, top, left) {
      const f = mem();
      f.fill(0, dX >> 2, (dX >> 2) + M * H * W * C);
      let g = dY >> 2;
      for (let n = 0; n < M; n++) {
        const xs = (dX >> 2) + n * H * W * C;
        for (let oy = 0; oy < OH; oy++) {
          const y0 = Math.max(oy * sh - top, 0),
            y1 = Math.min(oy * sh - top + kh, H);
          for (let ox = 0; ox < OW; ox++) {
            const x0 = Math.max(ox * sw - left, 0),
              x1 = Math.min(ox * sw - left + kw, W);
            const inv = Math.fround(1 / ((y1 - y0) * (x1 - x0)));
            for (let c = 0; c < C; c++) {
              const d = Math.fround(f[g + c]! * inv);
              for (let iy = y0; iy < y1; iy++)
                for (let ix = x0; ix < x1; ix++) {
                  const p = xs + (iy * W + ix) * C + c;
                  f[p] = Math.fround(f[p]! + d);
                }
            }
            g += C;
          }
        }
      }
    },

    embeddingGather(E, ids, Y, count, D, V) {
      const f = mem();
      for (let i = 0; i < count; i++) {
        const v = f[(ids >> 2) + i]!;
        if (!(v >= 0 && v < V) || v !== Math.floor(v)) return i + 1;
        const src = (E >> 2) + v * D;
        f.copyWithin((Y >> 2) + i * D, src, src + D);
      }
      return 0;
    },

    embeddingScatter(dY, ids, dE, count, D, V) {
      const f = mem();
      f.fill(0, dE >> 2, (dE >> 2) + V * D);
      for (let i = 0; i < count; i++) {
        const d = (dE >> 2) + f[(ids >> 2) + i]! * D,
          g = (dY >> 2) + i * D;
        for (let k = 0; k < D; k++) f[d + k] = Math.fround(f[d + k]! + f[g + k]!);
      }
    },

    lstmCell(Z, cPrev, cOut, hOut, B, U, act, recAct) {
      const f = mem(),
        fr = Math.fround;
      for (let b = 0; b < B; b++) {
        const z = (Z >> 2) + b * 4 * U,
          cp = (cPrev >> 2) + b * U,
          co = (cOut >> 2) + b * U,
          ho = (hOut >> 2) + b * U;
        for (let u = 0; u < U; u++) {
          const i = fr(cellAct(recAct, f[z + u]!)),
            fg = fr(cellAct(recAct, f[z + U + u]!)),
            g = fr(cellAct(act, f[z + 2 * U + u]!)),
            o = fr(cellAct(recAct, f[z + 3 * U + u]!));
          const c = fr(fr(fg * f[cp + u]!) + fr(i * g));
          f[z + u] = i;
          f[z + U + u] = fg;
          f[z + 2 * U + u] = g;
          f[z + 3 * U + u] = o;
          f[co + u] = c;
          f[ho + u] = o * fr(cellAct(act, c));
        }
      }
    },

    lstmCellBackward(Z, cPrev, c, dh, dc, B, U, act, recAct) {
      const f = mem(),
        fr = Math.fround;
      for (let b = 0; b < B; b++) {
        const z = (Z >> 2) + b * 4 * U,
          cp = (cPrev >> 2) + b * U,
          cc = (c >> 2) + b * U,
          dhr = (dh >> 2) + b * U,
          dcr = (dc >> 2) + b * U;
        for (let u = 0; u < U; u++) {
          const i = f[z + u]!,
            fg = f[z + U + u]!,
            g = f[z + 2 * U + u]!,
            o = f[z + 3 * U + u]!;
          const ac = fr(cellAct(act, f[cc + u]!)),
            d = f[dhr + u]!;
          const dcv = fr(f[dcr + u]! + fr(cellGrad(act, ac, fr(d * o))));
          f[z + u] = cellGrad(recAct, i, fr(dcv * g));
          f[z + U + u] = cellGrad(recAct, fg, fr(dcv * f[cp + u]!));
          f[z + 2 * U + u] = cellGrad(act, g, fr(dcv * i));
          f[z + 3 * U + u] = cellGrad(recAct, o, fr(d * ac));
          f[dcr + u] = dcv * fg;
        }
      }
    },

    gruCell(Z, R, bRec, hPrev, hOut, B, U, act, recAct) {
      const f = mem(),
        fr = Math.fround;
      for (let b = 0; b < B; b++) {
        const z = (Z >> 2) + b * 3 * U,
          r = (R >> 2) + b * 3 * U,
          hp = (hPrev >> 2) + b * U,
          ho = (hOut >> 2) + b * U;
        for (let u = 0; u < U; u++) {
          const bz = bRec ? f[(bRec >> 2) + u]! : 0,
            br = bRec ? f[(bRec >> 2) + U + u]! : 0,
            bh = bRec ? f[(bRec >> 2) + 2 * U + u]! : 0;
          const rh = fr(f[r + 2 * U + u]! + bh);
          const zg = fr(cellAct(recAct, fr(f[z + u]! + fr(f[r + u]! + bz)))),
            rg = fr(cellAct(recAct, fr(f[z + U + u]! + fr(f[r + U + u]! + br)))),
            hh = fr(cellAct(act, fr(f[z + 2 * U + u]! + fr(rg * rh))));
          f[z + u] = zg;
          f[z + U + u] = rg;
          f[z + 2 * U + u] = hh;
          f[r + 2 * U + u] = rh;
          f[ho + u] = fr(zg * f[hp + u]!) + fr(fr(1 - zg) * hh);
        }
      }
    },

    gruCellBackward(Z, R, hPrev, dh, dhPrev, B, U, act, recAct) {
      const f = mem(),
        fr = Math.fround;
      for (let b = 0; b < B; b++) {
        const z = (Z >> 2) + b * 3 * U,
          r = (R >> 2) + b * 3 * U,
          hp = (hPrev >> 2) + b * U,
          d0 = (dh >> 2) + b * U,
          dp = (dhPrev >> 2) + b * U;
        for (let u = 0; u < U; u++) {
          const zg = f[z + u]!,
            rg = f[z + U + u]!,
            hh = f[z + 2 * U + u]!,
            d = f[d0 + u]!;
          const dph = fr(cellGrad(act, hh, fr(d * fr(1 - zg))));
          const dz = fr(cellGrad(recAct, zg, fr(d * fr(f[hp + u]! - hh))));
          const dr = fr(cellGrad(recAct, rg, fr(dph * f[r + 2 * U + u]!)));
          f[z + u] = dz;
          f[z + U + u] = dr;
          f[z + 2 * U + u] = dph;
          f[r + u] = dz;
          f[r + U + u] = dr;
          f[r + 2 * U + u] = dph * rg;
          f[dp + u] = d * zg;
        }
      }
    },

    gruGates(Z, hPrev, RH, B, U, recAct) {
      const f = mem(),
        fr = Math.fround;
      for (let b = 0; b < B; b++) {
        const z = (Z >> 2) + b * 3 * U,
          hp = (hPrev >> 2) + b * U,
          rh = (RH >> 2) + b * U;
        for (let u = 0; u < U; u++) {
          const zg = fr(cellAct(recAct, f[z + u]!)),
            rg = fr(cellAct(recAct, f[z + U + u]!));
          f[z + u] = zg;
          f[z + U + u] = rg;
          f[rh + u] = rg * f[hp + u]!;
        }
      }
    },

    gruOut(Z, hPrev, hOut, B, U, act) {
      const f = mem(),
        fr = Math.fround;
      for (let b = 0; b < B; b++) {
        const z = (Z >> 2) + b * 3 * U,
          hp = (hPrev >> 2) + b * U,
          ho = (hOut >> 2) + b * U;
        for (let u = 0; u < U; u++) {
          const zg = f[z + u]!,
            hh = fr(cellAct(act, f[z + 2 * U + u]!));
          f[z + 2 * U + u] = hh;
          f[ho + u] = fr(zg * f[hp + u]!) + fr(fr(1 - zg) * hh);
        }
      }
    },

    gruOutBackward(Z, hPrev, dh, dhPrev, B, U, act, recAct) {
      const f = mem(),
        fr = Math.fround;
      for (let b = 0; b < B; b++) {
        const z = (Z >> 2) + b * 3 * U,
          hp = (hPrev >> 2) + b * U,
          d0 = (dh >> 2) + b * U,
          dp = (dhPrev >> 2) + b * U;
        for (let u = 0; u < U; u++) {
          const zg = f[z + u]!,
            hh = f[z + 2 * U + u]!,
            d = f[d0 + u]!;
          f[z + u] = cellGrad(recAct, zg, fr(d * fr(f[hp + u]! - hh)));
          f[z + 2 * U + u] = cellGrad(act, hh, fr(d * fr(1 - zg)));
          f[dp + u] = d * zg;
        }
      }
    },

    gruGatesBackward(Z, hPrev, dRH, dhPrev, B, U, recAct) {
      const f = mem(),
        fr = Math.fround;
      for (let b = 0; b < B; b++) {
        const z = (Z >> 2) + b * 3 * U,
          hp = (hPrev >> 2) + b * U,
          dr = (dRH >> 2) + b * U,
          dp = (dhPrev >> 2) + b * U;
        for (let u = 0; u < U; u++) {
          const rg = f[z + U + u]!,
            d = f[dr + u]!;
          f[z + U + u] = cellGrad(recAct, rg, fr(d * f[hp + u]!));
          f[dp + u] = f[dp + u]! + fr(d * rg);
        }
      }
    },

    depthwiseConv(X, K, Y, M, H, W, C, Dm, OH, OW, kh, kw, sh, sw, dh, dw, top, left) {
      const f = mem();
      const CO = C * Dm;
      let y = Y >> 2;
      for (let n = 0; n < M; n++) {
        const xs = (X >> 2) + n * H * W * C;
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            for (let o = 0; o < CO; o++) {
              const c = Math.floor(o / Dm);
              let acc = 0;
              for (let i = 0; i < kh; i++) {
                const iy = oy * sh - top + i * dh;
                if (iy < 0 || iy >= H) continue;
                for (let j = 0; j < kw; j++) {
                  const ix = ox * sw - left + j * dw;
                  if (ix < 0 || ix >= W) continue;
                  acc = Math.fround(
                    acc + Math.fround(f[xs + (iy * W + ix) * C + c]! * f[(K >> 2) + (i * kw + j) * CO + o]!),
                  );
                }
              }
              f[y + o] = acc;
            }
            y += CO;
          }
        }
      }
    },

    depthwiseConvBackInput(dY, K, dX, M, H, W, C, Dm, OH, OW, kh, kw, sh, sw, dh, dw, top, left) {
      const f = mem();
      const CO = C * Dm;
      f.fill(0, dX >> 2, (dX >> 2) + M * H * W * C);
      let g = dY >> 2;
      for (let n = 0; n < M; n++) {
        const xs = (dX >> 2) + n * H * W * C;
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh - top + i * dh;
              if (iy < 0 || iy >= H) continue;
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw - left + j * dw;
                if (ix < 0 || ix >= W) continue;
                const d = xs + (iy * W + ix) * C,
                  k = (K >> 2) + (i * kw + j) * CO;
                for (let o = 0; o < CO; o++) {
                  const c = d + Math.floor(o / Dm);
                  f[c] = Math.fround(f[c]! + Math.fround(f[g + o]! * f[k + o]!));
                }
              }
            }
            g += CO;
          }
        }
      }
    },

    depthwiseConvBackFilter(X, dY, dK, M, H, W, C, Dm, OH, OW, kh, kw, sh, sw, dh, dw, top, left) {
      const f = mem();
      const CO = C * Dm;
      f.fill(0, dK >> 2, (dK >> 2) + kh * kw * CO);
      let g = dY >> 2;
      for (let n = 0; n < M; n++) {
        const xs = (X >> 2) + n * H * W * C;
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh - top + i * dh;
              if (iy < 0 || iy >= H) continue;
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw - left + j * dw;
                if (ix < 0 || ix >= W) continue;
                const x = xs + (iy * W + ix) * C,
                  k = (dK >> 2) + (i * kw + j) * CO;
                for (let o = 0; o < CO; o++) {
                  f[k + o] = Math.fround(f[k + o]! + Math.fround(f[x + Math.floor(o / Dm)]! * f[g + o]!));
                }
              }
            }
            g += CO;
          }
        }
      }
    },

    ftrl(W, G, A, Z, n, lr, lrPower, l1, l2, shrink) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        a0 = A >> 2,
        z0 = Z >> 2;
      const half = lrPower === -0.5;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!,
          w = f[w0 + i]!,
          a = f[a0 + i]!;
        const a1 = a + g * g;
        const pa1 = half ? Math.sqrt(a1) : Math.pow(a1, -lrPower);
        const pa = half ? Math.sqrt(a) : Math.pow(a, -lrPower);
        // Z is stored (rounded to float32) before W is computed from it, as Keras assigns `linear` first.
        const z = Math.fround(f[z0 + i]! + (g + 2 * shrink * w - ((pa1 - pa) / lr) * w));
        const zc = z < -l1 ? -l1 : z > l1 ? l1 : z;
        f[z0 + i] = z;
        f[w0 + i] = (zc - z) / (pa1 / lr + 2 * l2);
        f[a0 + i] = a1;
      }
    },

    nadam(W, G, M, V, n, lr, beta1, beta2, eps, c1, c2, c3) {
      const f = mem();
      const w0 = W >> 2,
        g0 = G >> 2,
        m0 = M >> 2,
        v0 = V >> 2;
      const k1 = 1 - beta1,
        k2 = 1 - beta2;
      for (let i = 0; i < n; i++) {
        const g = f[g0 + i]!;
        let m = f[m0 + i]!;
        m += (g - m) * k1;
        let v = f[v0 + i]!;
        v += (g * g - v) * k2;
        f[m0 + i] = m;
        f[v0 + i] = v;
        f[w0 + i] = f[w0 + i]! - (lr * (c1 * m + c2 * g)) / (Math.sqrt(c3 * v) + eps);
      }
    },
  };
  return backend;
}
