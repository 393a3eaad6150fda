/**
 * The kernel interface shared by the `wasm` and `js` backends.
 *
 * Every pointer is a BYTE offset into the backend's one linear memory
 * (`backend.heap.memory`), aligned to 16 bytes unless stated. All matrices are
 * row-major float32. Counts are element counts. Kernels never allocate; where a
 * kernel needs scratch space the caller passes it (`ws`).
 *
 * Aliasing: where a doc comment says "may alias", the output pointer may equal
 * the named input pointer (in-place). Otherwise regions must not overlap.
 *
 * A pointer of 0 means "absent" for the optional arguments marked `0 = none`.
 */
import type { Heap } from '../runtime/heap.js';

/** Activation codes shared by both backends (and the AssemblyScript kernels). */
export enum Act {
  Linear = 0,
  Relu = 1,
  /** param = negative slope alpha (Keras default 0.3 for the layer, 0.2 for the function). */
  LeakyRelu = 2,
  /** param = alpha (default 1). */
  Elu = 3,
  Selu = 4,
  Sigmoid = 5,
  Tanh = 6,
  Exponential = 7,
  Softplus = 8,
  Softsign = 9,
  /** tanh approximation is NOT used: exact erf form, 0.5·x·(1+erf(x/√2)). */
  Gelu = 10,
  /** x·sigmoid(x) (also called silu). */
  Swish = 11,
  /** Keras 3 form: relu6(x + 3)/6 = clip(x/6 + 0.5, 0, 1). */
  HardSigmoid = 12,
  /** TF.js / Keras 2 form: clip(0.2·x + 0.5, 0, 1) (activation 'hard_sigmoid_legacy'; what TF.js and Keras 2 files mean by 'hard_sigmoid'). */
  HardSigmoidLegacy = 13,
}

/** Activations whose backward pass needs the pre-activation Z (not just the output Y). */
export function actNeedsZ(act: Act): boolean {
  return act === Act.Gelu || act === Act.Swish;
}

export interface Backend {
  readonly name: 'wasm' | 'js';
  /** The memory all pointers refer to, with its allocator. */
  readonly heap: Heap;
  /** Bytes of workspace a `gemm` call needs at `ws`. */
  readonly gemmWorkspaceBytes: number;

  // ---------------------------------------------------------------- GEMM
  /**
   * C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ (transA/transB).
   * op(A) is M×K, op(B) is K×N, C is M×N. lda/ldb/ldc are row strides in
   * elements of the matrices AS STORED (A stored M×K has lda ≥ K; stored K×M
   * (transA) has lda ≥ M). Any of M, N, K may be 0: with K = 0, C = beta·C.
   * beta = 0 means C is overwritten (NaNs in C are not propagated).
   * `ws` points to gemmWorkspaceBytes of scratch, 16-byte aligned.
   */
  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: number, lda: number, B: number, ldb: number,
    beta: number, C: number, ldc: number, ws: number): void;

  // ---------------------------------------------------------------- activations
  /**
   * Z[i,j] += bias[j] (bias = 0: none), then Y[i,j] = act(Z[i,j]), for an M×N
   * block (contiguous, row stride N). Y may alias Z.
   */
  biasAct(act: Act, param: number, Z: number, bias: number, Y: number, M: number, N: number): void;
  /**
   * dX[i] = dY[i] · act'(Z[i]) for n elements, where Y = act(Z) is the forward
   * output. Z is only read for activations where actNeedsZ(act); otherwise it may
   * be 0 and the derivative is computed from Y. dX may alias dY.
   */
  actBackward(act: Act, param: number, Z: number, Y: number, dY: number, dX: number, n: number): void;
  /** Row-wise softmax of an M×N block. Y may alias X. */
  softmaxRows(X: number, Y: number, M: number, N: number): void;
  /** Row-wise log-softmax. Y may alias X. */
  logSoftmaxRows(X: number, Y: number, M: number, N: number): void;
  /** Softmax backward: dX[i,j] = Y[i,j]·(dY[i,j] − Σ_k dY[i,k]·Y[i,k]). dX may alias dY. */
  softmaxBackward(Y: number, dY: number, dX: number, M: number, N: number): void;

  // ---------------------------------------------------------------- reductions / elementwise
  /** out[j] = beta·out[j] + Σ_i X[i,j] over an M×N block (bias gradient). Fixed summation order. */
  colSum(X: number, M: number, N: number, out: number, beta: number): void;
  /** Σ x² over n elements, accumulated in float64. */
  sumSquares(X: number, n: number): number;
  /** X[i] *= s. */
  scale(X: number, n: number, s: number): void;
  /** X[i] = clamp(X[i], −c, c). */
  clipValue(X: number, n: number, c: number): void;
  /** Z[i] = X[i]·Y[i]. Z may alias X or Y. */
  mul(X: number, Y: number, Z: number, n: number): void;
  /** Y[i] = alpha·X[i] + Y[i]. */
  axpy(n: number, alpha: number, X: number, Y: number): void;
  /**
   * Regularization: G[i] += l1·sign(W[i]) + 2·l2·W[i]; returns
   * l1·Σ|W| + l2·ΣW² (float64). G = 0: only the penalty is computed.
   */
  l1l2(W: number, G: number, n: number, l1: number, l2: number): number;

  // ---------------------------------------------------------------- losses
  // Every loss kernel works on an M×N block of predictions. It returns
  // Σ_i w_i·loss_i (float64), where loss_i is the per-sample loss (the mean over
  // N for the elementwise losses, the sum over N for the categorical
  // cross-entropies), and w_i = W[i] (W = 0: all 1). If G ≠ 0 it WRITES
  // G[i,j] = gradScale·w_i·∂loss_i/∂pred[i,j] (gradScale is usually 1/M).
  /** loss_i = mean_j (p−t)². */
  mse(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number): number;
  /** loss_i = mean_j |p−t| (subgradient 0 at p = t). */
  mae(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number): number;
  /** loss_i = mean_j huber_delta(p−t). */
  huber(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, delta: number): number;
  /** loss_i = mean_j log(cosh(p−t)), computed stably. */
  logCosh(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number): number;
  /** Keras hinge: labels in {0,1} are mapped to {−1,1}; loss_i = mean_j max(1 − t·p, 0). */
  hinge(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number): number;
  // Label smoothing (`smooth`, 0 = none, the default): the binary losses use
  // t' = t·(1 − s) + s/2, the categorical ones t' = t·(1 − s) + s/N (Keras).
  // `ignore` (sparse losses; NaN = none, the default): a row whose label equals
  // it adds no loss and gets a zero gradient, whatever its label (Keras's ignore_class).
  /** BCE on probabilities P, clipped to [eps, 1−eps] (Keras epsilon 1e-7); loss_i = mean_j. */
  bce(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, smooth?: number): number;
  /**
   * CCE on probabilities as Keras 3 computes it: each row of P is rescaled to
   * sum to 1 (p = q/S), then clipped to [eps, 1−eps]; loss_i = −Σ_j t'·log p.
   * G is the gradient with respect to the unscaled q (through the rescale).
   */
  cce(T: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, smooth?: number): number;
  /** Sparse CCE on probabilities (rows rescaled as in cce): L holds M class indices stored as float32. */
  sparseCce(L: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, ignore?: number): number;
  /**
   * Fused sigmoid + BCE on logits Z: writes P = sigmoid(Z) (P may be 0: not
   * written), loss_i = mean_j [max(z,0) − z·t + log(1+e^−|z|)], G = ∂/∂Z.
   */
  sigmoidBce(T: number, Z: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, smooth?: number): number;
  /** Fused softmax + CCE on logits Z: writes P = softmax(Z) (P may be 0), G = ∂/∂Z = scale·w·(P − T'). */
  softmaxCce(T: number, Z: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, smooth?: number): number;
  /** Fused softmax + sparse CCE on logits: L holds class indices as float32 (P is written for ignored rows too). */
  sparseSoftmaxCce(L: number, Z: number, P: number, G: number, W: number, M: number, N: number, gradScale: number, ignore?: number): number;

  // ---------------------------------------------------------------- batch normalization (per column of an M×N block)
  /**
   * Training forward: mean[j], invStd[j] = 1/sqrt(var_j + eps) (biased variance
   * over the M rows) are WRITTEN; Y = gamma·(X − mean)·invStd + beta
   * (gamma = 0: 1; beta = 0: 0). Y may alias X. Also updates the moving
   * statistics if movMean ≠ 0: mov = momentum·mov + (1−momentum)·batch,
   * with the biased batch variance for movVar (as Keras 3 and TF.js do).
   */
  bnForwardTrain(X: number, Y: number, M: number, N: number, gamma: number, beta: number,
    mean: number, invStd: number, eps: number, movMean: number, movVar: number, momentum: number): void;
  /** Inference forward with moving statistics. Y may alias X. */
  bnForwardInfer(X: number, Y: number, M: number, N: number, gamma: number, beta: number,
    movMean: number, movVar: number, eps: number): void;
  /**
   * Backward: given X, dY, and the mean/invStd saved by bnForwardTrain, writes
   * dX (must not alias dY) and dGamma/dBeta (written, not accumulated;
   * 0 = not wanted). gamma = 0 means gamma ≡ 1.
   */
  bnBackward(X: number, dY: number, dX: number, M: number, N: number, gamma: number,
    mean: number, invStd: number, dGamma: number, dBeta: number): void;

  // ---------------------------------------------------------------- dropout
  /**
   * Y[i] = X[i]·mask[i], mask[i] = keep ? 1/(1−rate) : 0, written to `mask`.
   * keep is decided by a counter-based PRNG: keep ⇔ uniform(seed, offset + i) ≥ rate,
   * where uniform(seed, c) ∈ [0,1) depends only on (seed, c) — see prng.ts. Y may alias X.
   */
  dropout(X: number, Y: number, mask: number, n: number, rate: number, seed: number, offset: number): void;

  // ---------------------------------------------------------------- optimizers (in place on W and the slots)
  /** W -= lr·G. */
  sgd(W: number, G: number, n: number, lr: number): void;
  /** Keras: V = m·V − lr·G; W += V (nesterov: W += m·V − lr·G). */
  sgdMomentum(W: number, G: number, V: number, n: number, lr: number, momentum: number, nesterov: boolean): void;
  /** Keras 3 Adagrad: A += G²; W -= lr·G/sqrt(A + eps). */
  adagrad(W: number, G: number, A: number, n: number, lr: number, eps: number): void;
  /**
   * Keras RMSprop: V = rho·V + (1−rho)·G²; if centered (MG ≠ 0): MG = rho·MG + (1−rho)·G,
   * denom = V − MG²; else denom = V. inc = lr·G/sqrt(denom + eps).
   * If MOM ≠ 0: MOM = momentum·MOM + inc; W -= MOM. Else W -= inc.
   */
  rmsprop(W: number, G: number, V: number, MG: number, MOM: number, n: number,
    lr: number, rho: number, momentum: number, eps: number): void;
  /**
   * Keras Adam with the bias correction folded into alpha = lr·sqrt(1−β2^t)/(1−β1^t):
   * M += (G−M)(1−β1); V += (G²−V)(1−β2); W -= alpha·M/(sqrt(V) + eps).
   * If VMAX ≠ 0 (amsgrad): VMAX = max(VMAX, V) and it replaces V in the update.
   */
  adam(W: number, G: number, M: number, V: number, VMAX: number, n: number,
    alpha: number, beta1: number, beta2: number, eps: number): void;
  /** Keras Adadelta: A = ρA + (1−ρ)G²; d = sqrt(D+eps)/sqrt(A+eps)·G; D = ρD + (1−ρ)d²; W -= lr·d. */
  adadelta(W: number, G: number, A: number, D: number, n: number, lr: number, rho: number, eps: number): void;
  /** Keras Adamax: M = β1M + (1−β1)G; U = max(β2U, |G|); W -= alpha·M/(U + eps), alpha = lr/(1−β1^t). */
  adamax(W: number, G: number, M: number, U: number, n: number, alpha: number, beta1: number, beta2: number, eps: number): void;
  /**
   * Keras Nadam with its schedule folded into c1, c2, c3 by the caller:
   * M += (G−M)(1−β1); V += (G²−V)(1−β2);
   * W -= lr·(c1·M + c2·G)/(sqrt(c3·V) + eps).
   */
  nadam(W: number, G: number, M: number, V: number, n: number, lr: number, beta1: number, beta2: number,
    eps: number, c1: number, c2: number, c3: number): void;
  /** Keras 3 Lion: W -= lr·sign(β1·M + (1−β1)·G); then M = β2·M + (1−β2)·G (sign(0) = 0). */
  lion(W: number, G: number, M: number, n: number, lr: number, beta1: number, beta2: number): void;
  /**
   * Keras 3 FTRL, with the caller folding beta into l2 (l2 + beta/(2·lr)):
   * g' = G + 2·shrink·W; A' = A + G²; Z += g' − (A'^(−p) − A^(−p))/lr·W (Z stored to float32);
   * W = (clip(Z, −l1, l1) − Z)/(A'^(−p)/lr + 2·l2); A = A'. p = lrPower ≤ 0.
   */
  ftrl(W: number, G: number, A: number, Z: number, n: number, lr: number, lrPower: number,
    l1: number, l2: number, shrink: number): void;
}
