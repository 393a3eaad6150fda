/**
 * The kernels, one descriptor each: the single place that says what a kernel
 * is. From this table come the `Backend` interface's kernel methods (their
 * signatures and contracts, below), the wasm binding (src/backend/wasm.ts
 * binds each export, through the adapter `bind` names), the threaded wrapper
 * (src/backend/threaded.ts splits a call as `split` says, at the measured
 * `cost`) and the list of kernels the worker threads run (those that split).
 * Adding a kernel: the AssemblyScript function (exported from
 * assembly/index.ts), its descriptor here, its reference in src/backend/js.ts.
 *
 * Conventions: every pointer is a BYTE offset into the backend's one linear
 * memory, 16-byte aligned unless stated; matrices are row-major float32;
 * counts are element counts; kernels never allocate (scratch comes from the
 * caller, `ws`). Where a contract says "may alias", the output may equal that
 * input; otherwise regions must not overlap. A pointer of 0 means "absent" for
 * the optional arguments marked `0 = none`.
 *
 * Loss kernels work on an M×N block of predictions and return Σᵢ wᵢ·lossᵢ
 * (float64), lossᵢ being the per-sample loss (the mean over N for the
 * elementwise losses, the sum over N for the categorical cross-entropies) and
 * wᵢ = W[i] (W = 0: all 1). If G ≠ 0 they WRITE G[i,j] = gradScale·wᵢ·∂lossᵢ/∂pred[i,j]
 * (gradScale is usually 1/M). Label smoothing (`smooth`, 0 = none, the
 * default): the binary losses use t' = t·(1 − s) + s/2, the categorical ones
 * t' = t·(1 − s) + s/N (Keras). `ignore` (sparse losses; NaN = none, the
 * default): a row whose label equals it adds no loss and gets a zero
 * gradient, whatever its label (Keras's ignore_class).
 */
import type { Act } from './types.js';

/**
 * How the threaded backend splits a call. Costs are ns per element on one
 * thread, measured on the 2-core VM this was written on (test/threads/bench.mjs,
 * 2^18 elements); a call is split when its estimated time is worth a dispatch.
 *  - `elem`: ranges of the n elements at argument `n`; `ptrs` advance by the range start.
 *  - `rows`: blocks of the M rows at argument `m` (N at m + 1); `ptrs` have a row stride of N.
 *  - `loss`: a FIXED partition into row blocks that depends only on the shape, partial sums
 *    added in block order (so the float64 result is the same for any thread count);
 *    `ptrs` have a row stride of N, `ptrs1` of 1 (weights, labels).
 *  - `sum`: the same for a plain reduction over the n elements at argument `n`.
 *  - `samples`: blocks of the M samples at argument `m` of an image kernel; pointer `ptrs[i]` advances by
 *    `per(args)[i]` floats per sample (0: shared by all samples); `cost(args)`: ns per sample. Every sample
 *    is computed alone, so the bits do not depend on the cut.
 *  - `gemm`: blocks of output rows, each thread with its own workspace (threaded.ts).
 *  - `none`: always on the calling thread (per-column sums in one fixed order).
 */
export type Split =
  | { kind: 'elem'; n: number; ptrs: readonly number[]; cost: Cost; offsetArg?: number }
  | { kind: 'rows'; m: number; ptrs: readonly number[]; cost: Cost }
  | { kind: 'loss'; m: number; ptrs: readonly number[]; ptrs1: readonly number[]; cost: number }
  | { kind: 'sum'; n: number; ptrs: readonly number[]; cost: number }
  | {
      kind: 'samples';
      m: number;
      ptrs: readonly number[];
      per: (args: readonly number[]) => readonly number[];
      cost: (args: readonly number[]) => number;
    }
  | { kind: 'gemm' }
  | { kind: 'none' };
/** ns per element: a constant, or a function of the call's arguments (the activation's). */
export type Cost = number | ((args: readonly number[]) => number);

/**
 * Binding adapters the wasm backend applies to an export (none: the export is the method):
 *  - `gemm`: boolean transposes as 0/1, and `ws = 0` means the backend's own workspace;
 *  - `bools`: boolean arguments as 0/1;
 *  - `labels`: a NaN result means a bad class label (argument 0); the binding finds it and throws.
 */
export type Bind = 'gemm' | 'bools' | 'labels';

export interface KernelDescriptor<F = unknown> {
  split: Split;
  bind?: Bind;
  /** The method's type (never set: it types the Backend interface). */
  readonly signature?: F;
}

/** A descriptor typed by its method's signature. */
const k = <F extends (...args: never[]) => unknown>(d: { split: Split; bind?: Bind }): KernelDescriptor<F> => d;

/** Activation forward / backward, ns per element, by activation code (Act in types.ts). */
const ACT_FWD_NS = [0.6, 0.6, 0.6, 4, 4.2, 8.3, 3.4, 5, 16.6, 1, 18, 11.6, 0.8, 0.8, 0.6];
const ACT_BWD_NS = [0.3, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.2, 4, 0.2, 19, 13, 0.2, 0.2, 0.4];

/** An im2col-shaped kernel split by samples: (X, rows, M at 2, H, W, C, OH, OW, kh, kw, …), ns per copied float. */
const im2colSplit = (ptrs: number[], per: (a: readonly number[]) => number[], ns: number): Split => ({
  kind: 'samples',
  m: 2,
  ptrs,
  per,
  cost: (a) => a[6]! * a[7]! * a[8]! * a[9]! * a[5]! * ns,
});
/** A depthwise kernel split by samples: (X, K, Y, M at 3, H, W, C, Dm, OH, OW, kh, kw, …); the kernel is shared. */
const dwSplit = (ptrs: number[], per: (a: readonly number[]) => number[]): Split => ({
  kind: 'samples',
  m: 3,
  ptrs,
  per,
  cost: (a) => a[8]! * a[9]! * a[6]! * a[7]! * a[10]! * a[11]! * 0.4,
});
/** A pooling kernel split by samples: M at argument m, then H, W, C, OH, OW, kh, kw. */
const poolSplit = (ptrs: number[], per: (a: readonly number[]) => number[], m: number): Split => ({
  kind: 'samples',
  m,
  ptrs,
  per,
  cost: (a) => a[m + 4]! * a[m + 5]! * a[m + 3]! * a[m + 6]! * a[m + 7]! * 0.3,
});

/**
 * A recurrent cell kernel's split: blocks of the B samples at argument `m`, pointer `ptrs[i]` advancing by
 * `per[i]`·U floats per sample (U at m + 1); `ns` per unit of a sample (the activations dominate). Every sample
 * is computed alone, so the bits do not depend on the cut.
 */
/**
 * ns per unit of one sample with the default activations (tanh, sigmoid), measured on one thread of the AMD
 * EPYC VM (B = 64, U = 128): the cells split once a step's batch × units is in the thousands.
 */
const LSTM_NS = 22,
  LSTM_BACK_NS = 10,
  GRU_NS = 17,
  GRU_BACK_NS = 3.5,
  GRU_GATES_NS = 10,
  GRU_OUT_NS = 6.6,
  GRU_HALF_BACK_NS = 2.1;
const cellSplit = (m: number, ptrs: number[], per: number[], ns: number): Split => ({
  kind: 'samples',
  m,
  ptrs,
  per: (a) => per.map((k) => k * a[m + 1]!),
  cost: (a) => a[m + 1]! * ns,
});

export const KERNELS = {
  /**
   * C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ (transA/transB).
   * op(A) is M×K, op(B) is K×N, C is M×N. lda/ldb/ldc are row strides in
   * elements of the matrices AS STORED (A stored M×K has lda ≥ K; stored K×M
   * (transA) has lda ≥ M). Any of M, N, K may be 0: with K = 0, C = beta·C.
   * beta = 0 means C is overwritten (NaNs in C are not propagated).
   * `ws` points to gemmWorkspaceBytes of scratch, 16-byte aligned.
   */
  gemm: k<
    (
      transA: boolean,
      transB: boolean,
      M: number,
      N: number,
      K: number,
      alpha: number,
      A: number,
      lda: number,
      B: number,
      ldb: number,
      beta: number,
      C: number,
      ldc: number,
      ws: number,
    ) => void
  >({ split: { kind: 'gemm' }, bind: 'gemm' }),
  /**
   * Z[i,j] += bias[j] (bias = 0: none), then Y[i,j] = act(Z[i,j]), for an M×N
   * block (contiguous, row stride N). Y may alias Z.
   */
  biasAct: k<(act: Act, param: number, Z: number, bias: number, Y: number, M: number, N: number) => void>({
    split: { kind: 'rows', m: 5, ptrs: [2, 4], cost: (a) => ACT_FWD_NS[a[0]!] ?? 1 },
  }),
  /**
   * dX[i] = dY[i] · act'(Z[i]) for n elements, where Y = act(Z) is the forward
   * output. Z is only read for activations where actNeedsZ(act); otherwise it may
   * be 0 and the derivative is computed from Y. dX may alias dY.
   */
  actBackward: k<(act: Act, param: number, Z: number, Y: number, dY: number, dX: number, n: number) => void>({
    split: { kind: 'elem', n: 6, ptrs: [2, 3, 4, 5], cost: (a) => ACT_BWD_NS[a[0]!] ?? 1 },
  }),
  /** Row-wise softmax of an M×N block. Y may alias X. */
  softmaxRows: k<(X: number, Y: number, M: number, N: number) => void>({
    split: { kind: 'rows', m: 2, ptrs: [0, 1], cost: 10 },
  }),
  /** Row-wise log-softmax. Y may alias X. */
  logSoftmaxRows: k<(X: number, Y: number, M: number, N: number) => void>({
    split: { kind: 'rows', m: 2, ptrs: [0, 1], cost: 10 },
  }),
  /** Softmax backward: dX[i,j] = Y[i,j]·(dY[i,j] − Σ_k dY[i,k]·Y[i,k]). dX may alias dY. */
  softmaxBackward: k<(Y: number, dY: number, dX: number, M: number, N: number) => void>({
    split: { kind: 'rows', m: 3, ptrs: [0, 1, 2], cost: 0.3 },
  }),
  /** out[j] = beta·out[j] + Σ_i X[i,j] over an M×N block (bias gradient). Fixed summation order. */
  colSum: k<(X: number, M: number, N: number, out: number, beta: number) => void>({ split: { kind: 'none' } }),
  /** Σ x² over n elements, accumulated in float64. */
  sumSquares: k<(X: number, n: number) => number>({ split: { kind: 'sum', n: 1, ptrs: [0], cost: 0.2 } }),
  /**
   * The diagnostics probe's figures of a step for L layers in one call, added into float64 accumulators:
   * `tab` holds L records of 16 i32 (grad, w, size, out, U, cols, backup, sat, lo and hi as f32), `acc` 4
   * f64 per layer (Σ ‖grad‖, Σ out², Σ ‖w − backup‖/‖w‖, outputs outside [lo, hi] where sat ≠ 0). With
   * update ≠ 0 the update since the last call is measured first; column sums of the M×U outputs are added
   * into cols, and w is copied to backup.
   */
  probeStep: k<(tab: number, L: number, M: number, acc: number, update: number) => void>({
    split: { kind: 'none' },
  }),
  /** probeStep's update measure alone: acc[4i+2] += ‖w − backup‖/‖w‖ per record. */
  probeUpdate: k<(tab: number, L: number, acc: number) => void>({ split: { kind: 'none' } }),
  /** X[i] *= s. */
  scale: k<(X: number, n: number, s: number) => void>({ split: { kind: 'elem', n: 1, ptrs: [0], cost: 0.11 } }),
  /** X[i] = clamp(X[i], −c, c). */
  clipValue: k<(X: number, n: number, c: number) => void>({ split: { kind: 'elem', n: 1, ptrs: [0], cost: 0.4 } }),
  /** Z[i] = X[i]·Y[i]. Z may alias X or Y. */
  mul: k<(X: number, Y: number, Z: number, n: number) => void>({
    split: { kind: 'elem', n: 3, ptrs: [0, 1, 2], cost: 0.14 },
  }),
  /** Y[i] = alpha·X[i] + Y[i]. */
  axpy: k<(n: number, alpha: number, X: number, Y: number) => void>({
    split: { kind: 'elem', n: 0, ptrs: [2, 3], cost: 0.15 },
  }),
  /**
   * Regularization: G[i] += l1·sign(W[i]) + 2·l2·W[i]; returns
   * l1·Σ|W| + l2·ΣW² (float64). G = 0: only the penalty is computed.
   */
  l1l2: k<(W: number, G: number, n: number, l1: number, l2: number) => number>({
    split: { kind: 'sum', n: 2, ptrs: [0, 1], cost: 0.4 },
  }),
  /** loss_i = mean_j (p−t)². */
  mse: k<(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number) => number>({
    split: { kind: 'loss', m: 4, ptrs: [0, 1, 2], ptrs1: [3], cost: 0.4 },
  }),
  /** loss_i = mean_j |p−t| (subgradient 0 at p = t). */
  mae: k<(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number) => number>({
    split: { kind: 'loss', m: 4, ptrs: [0, 1, 2], ptrs1: [3], cost: 0.45 },
  }),
  /** loss_i = mean_j huber_delta(p−t). */
  huber: k<
    (T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, delta: number) => number
  >({ split: { kind: 'loss', m: 4, ptrs: [0, 1, 2], ptrs1: [3], cost: 0.7 } }),
  /** loss_i = mean_j log(cosh(p−t)), computed stably. */
  logCosh: k<(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number) => number>({
    split: { kind: 'loss', m: 4, ptrs: [0, 1, 2], ptrs1: [3], cost: 21 },
  }),
  /** Keras hinge: labels in {0,1} are mapped to {−1,1}; loss_i = mean_j max(1 − t·p, 0). */
  hinge: k<(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number) => number>({
    split: { kind: 'loss', m: 4, ptrs: [0, 1, 2], ptrs1: [3], cost: 0.85 },
  }),
  /** BCE on probabilities P, clipped to [eps, 1−eps] (Keras epsilon 1e-7); loss_i = mean_j. */
  bce: k<
    (T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, smooth?: number) => number
  >({ split: { kind: 'loss', m: 4, ptrs: [0, 1, 2], ptrs1: [3], cost: 7 } }),
  /**
   * CCE on probabilities as Keras 3 computes it: each row of P is rescaled to
   * sum to 1 (p = q/S), then clipped to [eps, 1−eps]; loss_i = −Σ_j t'·log p.
   * G is the gradient with respect to the unscaled q (through the rescale).
   */
  cce: k<
    (T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, smooth?: number) => number
  >({ split: { kind: 'loss', m: 4, ptrs: [0, 1, 2], ptrs1: [3], cost: 4.5 } }),
  /** Sparse CCE on probabilities (rows rescaled as in cce): L holds M class indices stored as float32. */
  sparseCce: k<
    (L: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, ignore?: number) => number
  >({ split: { kind: 'loss', m: 4, ptrs: [1, 2], ptrs1: [0, 3], cost: 1.4 }, bind: 'labels' }),
  /**
   * Fused sigmoid + BCE on logits Z: writes P = sigmoid(Z) (P may be 0: not
   * written), loss_i = mean_j [max(z,0) − z·t + log(1+e^−|z|)], G = ∂/∂Z.
   */
  sigmoidBce: k<
    (
      T: number,
      Z: number,
      P: number,
      G: number,
      W: number,
      M: number,
      N: number,
      gradScale: number,
      smooth?: number,
    ) => number
  >({ split: { kind: 'loss', m: 5, ptrs: [0, 1, 2, 3], ptrs1: [4], cost: 16 } }),
  /** Fused softmax + CCE on logits Z: writes P = softmax(Z) (P may be 0), G = ∂/∂Z = scale·w·(P − T'). */
  softmaxCce: k<
    (
      T: number,
      Z: number,
      P: number,
      G: number,
      W: number,
      M: number,
      N: number,
      gradScale: number,
      smooth?: number,
    ) => number
  >({ split: { kind: 'loss', m: 5, ptrs: [0, 1, 2, 3], ptrs1: [4], cost: 11 } }),
  /** Fused softmax + sparse CCE on logits: L holds class indices as float32 (P is written for ignored rows too). */
  sparseSoftmaxCce: k<
    (
      L: number,
      Z: number,
      P: number,
      G: number,
      W: number,
      M: number,
      N: number,
      gradScale: number,
      ignore?: number,
    ) => number
  >({ split: { kind: 'loss', m: 5, ptrs: [1, 2, 3], ptrs1: [0, 4], cost: 10 }, bind: 'labels' }),
  /**
   * Training forward: mean[j], invStd[j] = 1/sqrt(var_j + eps) (biased variance
   * over the M rows) are WRITTEN; Y = gamma·(X − mean)·invStd + beta
   * (gamma = 0: 1; beta = 0: 0). Y may alias X. Also updates the moving
   * statistics if movMean ≠ 0: mov = momentum·mov + (1−momentum)·batch,
   * with the biased batch variance for movVar (as Keras 3 and TF.js do).
   */
  bnForwardTrain: k<
    (
      X: number,
      Y: number,
      M: number,
      N: number,
      gamma: number,
      beta: number,
      mean: number,
      invStd: number,
      eps: number,
      movMean: number,
      movVar: number,
      momentum: number,
    ) => void
  >({ split: { kind: 'none' } }),
  /** Inference forward with moving statistics. Y may alias X. */
  bnForwardInfer: k<
    (
      X: number,
      Y: number,
      M: number,
      N: number,
      gamma: number,
      beta: number,
      movMean: number,
      movVar: number,
      eps: number,
    ) => void
  >({ split: { kind: 'rows', m: 2, ptrs: [0, 1], cost: 2 } }),
  /**
   * Backward: given X, dY, and the mean/invStd saved by bnForwardTrain, writes
   * dX (must not alias dY) and dGamma/dBeta (written, not accumulated;
   * 0 = not wanted). gamma = 0 means gamma ≡ 1.
   */
  bnBackward: k<
    (
      X: number,
      dY: number,
      dX: number,
      M: number,
      N: number,
      gamma: number,
      mean: number,
      invStd: number,
      dGamma: number,
      dBeta: number,
    ) => void
  >({ split: { kind: 'none' } }),
  /**
   * Y[i] = X[i]·mask[i], mask[i] = keep ? 1/(1−rate) : 0, written to `mask`.
   * keep is decided by a counter-based PRNG: keep ⇔ uniform(seed, offset + i) ≥ rate,
   * where uniform(seed, c) ∈ [0,1) depends only on (seed, c) — see prng.ts. Y may alias X.
   */
  dropout: k<(X: number, Y: number, mask: number, n: number, rate: number, seed: number, offset: number) => void>({
    split: { kind: 'elem', n: 3, ptrs: [0, 1, 2], cost: 0.75, offsetArg: 6 },
  }),
  /** W -= lr·G. */
  sgd: k<(W: number, G: number, n: number, lr: number) => void>({
    split: { kind: 'elem', n: 2, ptrs: [0, 1], cost: 0.5 },
  }),
  /** Keras: V = m·V − lr·G; W += V (nesterov: W += m·V − lr·G). */
  sgdMomentum: k<(W: number, G: number, V: number, n: number, lr: number, momentum: number, nesterov: boolean) => void>(
    { split: { kind: 'elem', n: 3, ptrs: [0, 1, 2], cost: 0.9 }, bind: 'bools' },
  ),
  /** Keras 3 Adagrad: A += G²; W -= lr·G/sqrt(A + eps). */
  adagrad: k<(W: number, G: number, A: number, n: number, lr: number, eps: number) => void>({
    split: { kind: 'elem', n: 3, ptrs: [0, 1, 2], cost: 1.8 },
  }),
  /**
   * Keras RMSprop: V = rho·V + (1−rho)·G²; if centered (MG ≠ 0): MG = rho·MG + (1−rho)·G,
   * denom = V − MG²; else denom = V. inc = lr·G/sqrt(denom + eps).
   * If MOM ≠ 0: MOM = momentum·MOM + inc; W -= MOM. Else W -= inc.
   */
  rmsprop: k<
    (
      W: number,
      G: number,
      V: number,
      MG: number,
      MOM: number,
      n: number,
      lr: number,
      rho: number,
      momentum: number,
      eps: number,
    ) => void
  >({ split: { kind: 'elem', n: 5, ptrs: [0, 1, 2, 3, 4], cost: 2.3 } }),
  /**
   * Keras Adam with the bias correction folded into alpha = lr·sqrt(1−β2^t)/(1−β1^t):
   * M += (G−M)(1−β1); V += (G²−V)(1−β2); W -= alpha·M/(sqrt(V) + eps).
   * If VMAX ≠ 0 (amsgrad): VMAX = max(VMAX, V) and it replaces V in the update.
   */
  adam: k<
    (
      W: number,
      G: number,
      M: number,
      V: number,
      VMAX: number,
      n: number,
      alpha: number,
      beta1: number,
      beta2: number,
      eps: number,
    ) => void
  >({ split: { kind: 'elem', n: 5, ptrs: [0, 1, 2, 3, 4], cost: 2.6 } }),
  /** Keras Adadelta: A = ρA + (1−ρ)G²; d = sqrt(D+eps)/sqrt(A+eps)·G; D = ρD + (1−ρ)d²; W -= lr·d. */
  adadelta: k<(W: number, G: number, A: number, D: number, n: number, lr: number, rho: number, eps: number) => void>({
    split: { kind: 'elem', n: 4, ptrs: [0, 1, 2, 3], cost: 3.1 },
  }),
  /** Keras Adamax: M = β1M + (1−β1)G; U = max(β2U, |G|); W -= alpha·M/(U + eps), alpha = lr/(1−β1^t). */
  adamax: k<
    (
      W: number,
      G: number,
      M: number,
      U: number,
      n: number,
      alpha: number,
      beta1: number,
      beta2: number,
      eps: number,
    ) => void
  >({ split: { kind: 'elem', n: 4, ptrs: [0, 1, 2, 3], cost: 1.7 } }),
  /**
   * Keras Nadam with its schedule folded into c1, c2, c3 by the caller:
   * M += (G−M)(1−β1); V += (G²−V)(1−β2);
   * W -= lr·(c1·M + c2·G)/(sqrt(c3·V) + eps).
   */
  nadam: k<
    (
      W: number,
      G: number,
      M: number,
      V: number,
      n: number,
      lr: number,
      beta1: number,
      beta2: number,
      eps: number,
      c1: number,
      c2: number,
      c3: number,
    ) => void
  >({ split: { kind: 'elem', n: 4, ptrs: [0, 1, 2, 3], cost: 2.1 } }),
  /** Keras 3 Lion: W -= lr·sign(β1·M + (1−β1)·G); then M = β2·M + (1−β2)·G (sign(0) = 0). */
  lion: k<(W: number, G: number, M: number, n: number, lr: number, beta1: number, beta2: number) => void>({
    split: { kind: 'elem', n: 3, ptrs: [0, 1, 2], cost: 1.5 /* not measured: between sgdMomentum and adagrad */ },
  }),
  /**
   * Keras 3 FTRL, with the caller folding beta into l2 (l2 + beta/(2·lr)):
   * g' = G + 2·shrink·W; A' = A + G²; Z += g' − (A'^(−p) − A^(−p))/lr·W (Z stored to float32);
   * W = (clip(Z, −l1, l1) − Z)/(A'^(−p)/lr + 2·l2); A = A'. p = lrPower ≤ 0.
   */
  ftrl: k<
    (
      W: number,
      G: number,
      A: number,
      Z: number,
      n: number,
      lr: number,
      lrPower: number,
      l1: number,
      l2: number,
      shrink: number,
    ) => void
  >({
    split: { kind: 'elem', n: 4, ptrs: [0, 1, 2, 3], cost: 4 /* not measured: scalar f64, two roots per element */ },
  }),
  /**
   * 2-D convolution rows (NHWC): rows[(n, oy, ox)] = the receptive field of output (oy, ox) of sample n
   * — kh·kw·C floats in the kernel's [kh, kw, C] order, zeros where the window leaves the H×W image —
   * for samples [0, M). Window origin: (oy·sh − top, ox·sw − left); cell (i, j) is at dilation (dh, dw).
   */
  im2col: k<
    (
      X: number,
      rows: number,
      M: number,
      H: number,
      W: number,
      C: number,
      OH: number,
      OW: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      dh: number,
      dw: number,
      top: number,
      left: number,
    ) => void
  >({ split: im2colSplit([0, 1], (a) => [a[3]! * a[4]! * a[5]!, a[6]! * a[7]! * a[8]! * a[9]! * a[5]!], 0.3) }),
  /** The adjoint of im2col: dX (written, zeroed first) = Σ of the rows' values over every row reading each cell. */
  col2im: k<
    (
      rows: number,
      dX: number,
      M: number,
      H: number,
      W: number,
      C: number,
      OH: number,
      OW: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      dh: number,
      dw: number,
      top: number,
      left: number,
    ) => void
  >({ split: im2colSplit([0, 1], (a) => [a[6]! * a[7]! * a[8]! * a[9]! * a[5]!, a[3]! * a[4]! * a[5]!], 0.5) }),
  /**
   * Depthwise 2-D convolution (NHWC; kernel [kh, kw, C, Dm]): Y[n, oy, ox, c·Dm + m] = Σ over the in-bounds
   * taps (i, j), in that order, of X[n, oy·sh − top + i·dh, ox·sw − left + j·dw, c] · K[i, j, c, m].
   */
  depthwiseConv: k<
    (
      X: number,
      K: number,
      Y: number,
      M: number,
      H: number,
      W: number,
      C: number,
      Dm: number,
      OH: number,
      OW: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      dh: number,
      dw: number,
      top: number,
      left: number,
    ) => void
  >({ split: dwSplit([0, 1, 2], (a) => [a[4]! * a[5]! * a[6]!, 0, a[8]! * a[9]! * a[6]! * a[7]!]) }),
  /** depthwiseConv's input gradient: dX written (zeroed first), terms added in order (n, oy, ox, i, j, m). */
  depthwiseConvBackInput: k<
    (
      dY: number,
      K: number,
      dX: number,
      M: number,
      H: number,
      W: number,
      C: number,
      Dm: number,
      OH: number,
      OW: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      dh: number,
      dw: number,
      top: number,
      left: number,
    ) => void
  >({ split: dwSplit([0, 1, 2], (a) => [a[8]! * a[9]! * a[6]! * a[7]!, 0, a[4]! * a[5]! * a[6]!]) }),
  /**
   * Max pooling (NHWC): Y = the maximum over each window's in-bounds cells (rows [oy·sh − top, +kh), columns
   * likewise); arg ≠ 0 (0 = none): arg[n, oy, ox, c] = the winning cell's index within its sample, as a float.
   */
  maxPool: k<
    (
      X: number,
      Y: number,
      arg: number,
      M: number,
      H: number,
      W: number,
      C: number,
      OH: number,
      OW: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      top: number,
      left: number,
    ) => void
  >({ split: poolSplit([0, 1, 2], (a) => [a[4]! * a[5]! * a[6]!, a[7]! * a[8]! * a[6]!, a[7]! * a[8]! * a[6]!], 3) }),
  /** dX (written, zeroed first) = Σ of dY over the outputs whose recorded arg-max is each cell, in output order. */
  maxPoolBackward: k<(dY: number, arg: number, dX: number, M: number, inSample: number, outSample: number) => void>({
    split: {
      kind: 'samples',
      m: 3,
      ptrs: [0, 1, 2],
      per: (a) => [a[5]!, a[5]!, a[4]!],
      cost: (a) => a[4]! * 0.3 + a[5]!,
    },
  }),
  /** Average pooling (NHWC): Y = the float32 sum of each window's in-bounds cells, in row order, times f32(1/count). */
  avgPool: k<
    (
      X: number,
      Y: number,
      M: number,
      H: number,
      W: number,
      C: number,
      OH: number,
      OW: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      top: number,
      left: number,
    ) => void
  >({ split: poolSplit([0, 1], (a) => [a[3]! * a[4]! * a[5]!, a[6]! * a[7]! * a[5]!], 2) }),
  /** avgPool's input gradient: dX (written, zeroed first) += dY·f32(1/count) over each window, in output order. */
  avgPoolBackward: k<
    (
      dY: number,
      dX: number,
      M: number,
      H: number,
      W: number,
      C: number,
      OH: number,
      OW: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      top: number,
      left: number,
    ) => void
  >({ split: poolSplit([0, 1], (a) => [a[6]! * a[7]! * a[5]!, a[3]! * a[4]! * a[5]!], 2) }),
  /**
   * Embedding lookup: Y[i, :] = E[ids[i], :] for the count ids (floats) into the V×D table. Returns 0, or
   * i + 1 for the first id that is not an integer in [0, V) (rows from there on are not written).
   */
  embeddingGather: k<(E: number, ids: number, Y: number, count: number, D: number, V: number) => number>({
    split: { kind: 'none' },
  }),
  /** Its adjoint: dE (V×D, written, zeroed first) += dY[i, :] at row ids[i], in order i = 0, 1, … (ids valid). */
  embeddingScatter: k<(dY: number, ids: number, dE: number, count: number, D: number, V: number) => void>({
    split: { kind: 'none' },
  }),
  /**
   * One LSTM step for B samples of U units: Z's rows hold [i | f | c | o] (Keras's gate order; pre-activations
   * in, the gates' values out: i, f, o through `recAct`, the candidate through `act`), cOut = f·cPrev + i·ĉ,
   * hOut = o·act(cOut). act: linear, relu, sigmoid or tanh (codes of Act); recAct: sigmoid, hard_sigmoid or
   * hard_sigmoid_legacy.
   */
  lstmCell: k<
    (Z: number, cPrev: number, cOut: number, hOut: number, B: number, U: number, act: number, recAct: number) => void
  >({ split: cellSplit(4, [0, 1, 2, 3], [4, 1, 1, 1], LSTM_NS) }),
  /**
   * Its gradient: from Z's gate values, cPrev, this step's c, dh (the gradient reaching h) and dc (reaching c
   * from the next step), Z's rows become the pre-activation gradients and dc the gradient reaching cPrev.
   */
  lstmCellBackward: k<
    (
      Z: number,
      cPrev: number,
      c: number,
      dh: number,
      dc: number,
      B: number,
      U: number,
      act: number,
      recAct: number,
    ) => void
  >({ split: cellSplit(5, [0, 1, 2, 3, 4], [4, 1, 1, 1, 1], LSTM_BACK_NS) }),
  /**
   * One GRU step with reset_after = true for B samples of U units: Z's rows [z | r | h] (Keras's gate order;
   * the input projections in, the gates' values out), R's rows hPrev·U (bRec, the recurrent bias, added unless
   * 0; R's h block keeps U_h·hPrev + b'_h for the gradient), hOut = z·hPrev + (1 − z)·ĥ with
   * ĥ = act(x_h + r·(U_h·hPrev + b'_h)).
   */
  gruCell: k<
    (
      Z: number,
      R: number,
      bRec: number,
      hPrev: number,
      hOut: number,
      B: number,
      U: number,
      act: number,
      recAct: number,
    ) => void
  >({ split: cellSplit(5, [0, 1, 3, 4], [3, 3, 1, 1], GRU_NS) }),
  /** Its gradient: Z's rows become [dz | dr | dĥ], R's [dz | dr | dĥ·r], dhPrev = dh·z. */
  gruCellBackward: k<
    (
      Z: number,
      R: number,
      hPrev: number,
      dh: number,
      dhPrev: number,
      B: number,
      U: number,
      act: number,
      recAct: number,
    ) => void
  >({ split: cellSplit(5, [0, 1, 2, 3, 4], [3, 3, 1, 1, 1], GRU_BACK_NS) }),
  /** reset_after = false, first half: Z's z and r blocks become the gates' values; RH = r·hPrev. */
  gruGates: k<(Z: number, hPrev: number, RH: number, B: number, U: number, recAct: number) => void>({
    split: cellSplit(3, [0, 1, 2], [3, 1, 1], GRU_GATES_NS),
  }),
  /** reset_after = false, second half: Z's h block becomes ĥ = act(·); hOut = z·hPrev + (1 − z)·ĥ. */
  gruOut: k<(Z: number, hPrev: number, hOut: number, B: number, U: number, act: number) => void>({
    split: cellSplit(3, [0, 1, 2], [3, 1, 1], GRU_OUT_NS),
  }),
  /** gruOut's gradient: Z's z and h blocks become their pre-activation gradients; dhPrev = dh·z. */
  gruOutBackward: k<
    (Z: number, hPrev: number, dh: number, dhPrev: number, B: number, U: number, act: number, recAct: number) => void
  >({ split: cellSplit(4, [0, 1, 2, 3], [3, 1, 1, 1], GRU_HALF_BACK_NS) }),
  /** gruGates's gradient: from dRH (reaching r·hPrev), Z's r block becomes r's; dhPrev += dRH·r. */
  gruGatesBackward: k<
    (Z: number, hPrev: number, dRH: number, dhPrev: number, B: number, U: number, recAct: number) => void
  >({ split: cellSplit(4, [0, 1, 2, 3], [3, 1, 1, 1], GRU_HALF_BACK_NS) }),
  /** depthwiseConv's kernel gradient: dK written (zeroed first), terms added in order (n, oy, ox). */
  depthwiseConvBackFilter: k<
    (
      X: number,
      dY: number,
      dK: number,
      M: number,
      H: number,
      W: number,
      C: number,
      Dm: number,
      OH: number,
      OW: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      dh: number,
      dw: number,
      top: number,
      left: number,
    ) => void
  >({ split: { kind: 'none' } }),
};

export type KernelName = keyof typeof KERNELS;
/** The kernel methods of a Backend, typed from the descriptors (their doc comments carry over). */
export type Kernels = { [K in KernelName]: NonNullable<(typeof KERNELS)[K]['signature']> };
/** Every kernel's name, in table order. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];
/** The kernels worker threads run (those that split), in table order: a task's kernel index refers to this list. */
export const WORKER_KERNELS = KERNEL_NAMES.filter((n) => KERNELS[n].split.kind !== 'none');
/** A kernel's estimated ns per element for a call's arguments. */
export function costOf(c: Cost, args: readonly number[]): number {
  return typeof c === 'number' ? c : c(args);
}
/** A kernel's highest ns per element over its arguments' kinds (for activation costs: the dearest activation). */
export function maxCost(c: Cost): number {
  return typeof c === 'number' ? c : Math.max(...ACT_FWD_NS, ...ACT_BWD_NS);
}
