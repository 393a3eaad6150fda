/**
 * Optimizers, following Keras 3's update rules. Each keeps its slot variables
 * (momentum, velocity, ...) in kernel memory next to the weights and updates
 * them in place with one kernel call per weight. Every optimizer takes
 * `clipnorm`, `clipvalue`, `globalClipnorm` (the cure for exploding gradients)
 * and `weightDecay` (decoupled: w -= lr·wd·w before the update), and a
 * learning rate that may be a schedule.
 */
import type { Backend } from './backend/types.js';
import { ValueError, describe, invalid } from './errors.js';
import { normalizeName } from './activations.js';
import { LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, CosineDecay } from './schedules.js';

/** A weight as the optimizer sees it: pointers into kernel memory. */
export interface ParamSlots {
  /** Weight and gradient pointers (bytes) and element count. */
  ptr: number;
  grad: number;
  size: number;
  /** The weight's name ('dense_1/kernel'), matched by `excludeFromWeightDecay`. */
  name?: string;
  /** One pointer per slot name (see `slotNames`), filled by the model's memory plan. */
  slots: number[];
}

export interface OptimizerArgs {
  learningRate?: number | LearningRateSchedule;
  /** Clip each weight's gradient to this L2 norm. */
  clipnorm?: number;
  /** Clip each gradient element to [−clipvalue, clipvalue]. */
  clipvalue?: number;
  /** Clip all gradients together to this global L2 norm. */
  globalClipnorm?: number;
  /** Decoupled weight decay factor (w -= lr·weightDecay·w each step). */
  weightDecay?: number;
  /**
   * Weights that weight decay leaves alone: a weight is excluded when its name
   * ('dense_1/bias') contains any of these strings (Keras's
   * `exclude_from_weight_decay(var_names=...)`), e.g. ['bias', 'gamma', 'beta'].
   */
  excludeFromWeightDecay?: string[];
}

export abstract class Optimizer {
  abstract readonly className: string;
  /** Steps taken so far (Keras's `iterations`). */
  iterations = 0;
  learningRate: number | LearningRateSchedule;
  readonly clipnorm: number | undefined;
  readonly clipvalue: number | undefined;
  readonly globalClipnorm: number | undefined;
  weightDecay: number;
  /** Name fragments of the weights weight decay skips (see OptimizerArgs.excludeFromWeightDecay). */
  private excluded: string[] = [];

  constructor(a: OptimizerArgs, defaultLr: number) {
    this.learningRate = a.learningRate ?? defaultLr;
    if (
      !(this.learningRate instanceof LearningRateSchedule) &&
      !(typeof this.learningRate === 'number' && this.learningRate >= 0 && Number.isFinite(this.learningRate))
    ) {
      invalid('learningRate', 'a non-negative number or a LearningRateSchedule', a.learningRate);
    }
    const pos = (name: string, v: number | undefined) => {
      if (v !== undefined && v !== null && !(typeof v === 'number' && v > 0 && Number.isFinite(v)))
        invalid(name, 'a positive number', v);
      return v ?? undefined;
    };
    this.clipnorm = pos('clipnorm', a.clipnorm);
    this.clipvalue = pos('clipvalue', a.clipvalue);
    this.globalClipnorm = pos('globalClipnorm', a.globalClipnorm);
    const set = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((v) => v !== undefined).length;
    if (set > 1) {
      // Keras 3's words (base_optimizer.py), with the values received.
      const py = (v: number | undefined) => (v === undefined ? 'None' : String(v));
      throw new ValueError(
        `Only one of \`clipnorm\`, \`clipvalue\` and \`global_clipnorm\` can be set. Received: clipnorm=${py(this.clipnorm)}, clipvalue=${py(this.clipvalue)}, global_clipnorm=${py(this.globalClipnorm)}. (Here the arguments are \`clipnorm\`, \`clipvalue\` and \`globalClipnorm\`: keep one.)`,
      );
    }
    const wd = a.weightDecay ?? 0;
    if (!(typeof wd === 'number' && wd >= 0 && Number.isFinite(wd)))
      invalid('weightDecay', 'a non-negative number', a.weightDecay);
    this.weightDecay = wd;
    if (a.excludeFromWeightDecay !== undefined && a.excludeFromWeightDecay !== null)
      this.excludeFromWeightDecay(a.excludeFromWeightDecay);
  }

  /**
   * Leave out of weight decay every weight whose name contains one of
   * `names` (a fragment such as 'bias', or a full name such as 'dense_1/kernel').
   * Replaces the previous list, as Keras's `exclude_from_weight_decay` does.
   * @example opt.excludeFromWeightDecay(['bias', 'gamma', 'beta'])
   */
  excludeFromWeightDecay(names: readonly string[]): void {
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n.length === 0)) {
      invalid('excludeFromWeightDecay', 'an array of non-empty weight names or name fragments', names);
    }
    this.excluded = [...names];
  }

  /** The name fragments excluded from weight decay. */
  get excludedFromWeightDecay(): readonly string[] {
    return this.excluded;
  }

  /** Whether weight decay applies to the weight named `name`. */
  usesWeightDecay(name: string | undefined): boolean {
    return !(name !== undefined && this.excluded.some((f) => name.includes(f)));
  }

  /** Names of the per-weight slot variables, in the order of `ParamSlots.slots`. */
  abstract slotNames(): string[];
  /** The initial value of each slot (Adagrad starts its accumulator at 0.1). */
  slotInit(_slot: number): number {
    return 0;
  }
  /** One update of one weight with learning rate `lr` at step `t` (1-based). */
  protected abstract update(be: Backend, p: ParamSlots, lr: number, t: number): void;
  /** Hook before the per-weight updates of a step (Nadam advances its schedule). */
  protected beginStep(_t: number): void {
    /* nothing by default */
  }

  /** The learning rate for the next step. */
  get currentLearningRate(): number {
    return this.learningRate instanceof LearningRateSchedule
      ? this.learningRate.at(this.iterations)
      : this.learningRate;
  }

  /** Set a constant learning rate (replaces a schedule). */
  setLearningRate(lr: number): void {
    if (!(typeof lr === 'number' && lr >= 0 && Number.isFinite(lr)))
      invalid('learningRate', 'a non-negative number', lr);
    this.learningRate = lr;
  }

  /** Clip, decay and update every weight; one optimizer step. */
  apply(be: Backend, params: readonly ParamSlots[]): void {
    const lr = this.currentLearningRate;
    const t = this.iterations + 1;
    if (this.globalClipnorm !== undefined) {
      let ss = 0;
      for (const p of params) ss += be.sumSquares(p.grad, p.size);
      const norm = Math.sqrt(ss);
      if (norm > this.globalClipnorm) {
        const s = Number.isFinite(norm) ? this.globalClipnorm / norm : 0;
        for (const p of params) scaleBy(be, p.grad, p.size, s);
      }
    }
    this.beginStep(t);
    for (const p of params) {
      if (this.clipnorm !== undefined) {
        const norm = Math.sqrt(be.sumSquares(p.grad, p.size));
        if (norm > this.clipnorm) scaleBy(be, p.grad, p.size, Number.isFinite(norm) ? this.clipnorm / norm : 0);
      }
      if (this.clipvalue !== undefined) be.clipValue(p.grad, p.size, this.clipvalue);
      if (this.weightDecay > 0 && this.usesWeightDecay(p.name)) be.scale(p.ptr, p.size, 1 - lr * this.weightDecay);
      this.update(be, p, lr, t);
    }
    this.iterations = t;
  }

  /** Keras-style configuration (snake_case keys). */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = {
      learning_rate:
        this.learningRate instanceof LearningRateSchedule
          ? { class_name: this.learningRate.className, config: this.learningRate.getConfig() }
          : this.learningRate,
    };
    if (this.clipnorm !== undefined) c.clipnorm = this.clipnorm;
    if (this.clipvalue !== undefined) c.clipvalue = this.clipvalue;
    if (this.globalClipnorm !== undefined) c.global_clipnorm = this.globalClipnorm;
    if (this.weightDecay) c.weight_decay = this.weightDecay;
    if (this.excluded.length > 0) c.exclude_from_weight_decay = [...this.excluded];
    return c;
  }

  /** Optimizer state outside kernel memory (Nadam's running product), for saving. */
  getState(): Record<string, number> {
    return { iterations: this.iterations };
  }
  setState(s: Record<string, number>): void {
    this.iterations = s.iterations ?? 0;
  }
}

export interface SGDArgs extends OptimizerArgs {
  momentum?: number;
  nesterov?: boolean;
}
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(a: SGDArgs = {}) {
    super(a, 0.01);
    this.momentum = a.momentum ?? 0;
    if (!(this.momentum >= 0 && this.momentum <= 1)) invalid('momentum', 'a number in [0, 1]', a.momentum);
    this.nesterov = !!a.nesterov;
  }
  slotNames() {
    return this.momentum > 0 ? ['momentum'] : [];
  }
  protected update(be: Backend, p: ParamSlots, lr: number) {
    if (this.momentum > 0) be.sgdMomentum(p.ptr, p.grad, p.slots[0]!, p.size, lr, this.momentum, this.nesterov);
    else be.sgd(p.ptr, p.grad, p.size, lr);
  }
  override getConfig() {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

export interface AdamArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  constructor(a: AdamArgs = {}, defaultWd = 0) {
    super({ weightDecay: defaultWd, ...a }, 0.001);
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
    this.amsgrad = !!a.amsgrad;
    checkBeta('beta1', this.beta1);
    checkBeta('beta2', this.beta2);
    checkEps(this.epsilon);
  }
  slotNames() {
    return this.amsgrad ? ['momentum', 'velocity', 'velocity_hat'] : ['momentum', 'velocity'];
  }
  protected update(be: Backend, p: ParamSlots, lr: number, t: number) {
    const alpha = (lr * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    be.adam(
      p.ptr,
      p.grad,
      p.slots[0]!,
      p.slots[1]!,
      this.amsgrad ? p.slots[2]! : 0,
      p.size,
      alpha,
      this.beta1,
      this.beta2,
      this.epsilon,
    );
  }
  override getConfig() {
    return {
      ...super.getConfig(),
      beta_1: this.beta1,
      beta_2: this.beta2,
      epsilon: this.epsilon,
      amsgrad: this.amsgrad,
    };
  }
}

/** Adam with decoupled weight decay (Keras default weight_decay 0.004). */
export class AdamW extends Adam {
  override readonly className = 'AdamW';
  constructor(a: AdamArgs = {}) {
    super(a, 0.004);
  }
}

export interface RMSpropArgs extends OptimizerArgs {
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(a: RMSpropArgs = {}) {
    super(a, 0.001);
    this.rho = a.rho ?? 0.9;
    this.momentum = a.momentum ?? 0;
    this.epsilon = a.epsilon ?? 1e-7;
    this.centered = !!a.centered;
    checkBeta('rho', this.rho);
    checkEps(this.epsilon);
    if (!(this.momentum >= 0 && this.momentum < 1)) invalid('momentum', 'a number in [0, 1)', a.momentum);
  }
  slotNames() {
    const s = ['velocity'];
    if (this.centered) s.push('average_gradient');
    if (this.momentum > 0) s.push('momentum');
    return s;
  }
  protected update(be: Backend, p: ParamSlots, lr: number) {
    // Slots: velocity, then the mean gradient if centered, then the momentum if any.
    const mg = this.centered ? p.slots[1]! : 0;
    const mom = this.momentum > 0 ? p.slots[this.centered ? 2 : 1]! : 0;
    be.rmsprop(p.ptr, p.grad, p.slots[0]!, mg, mom, p.size, lr, this.rho, this.momentum, this.epsilon);
  }
  override getConfig() {
    return {
      ...super.getConfig(),
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
    };
  }
}

export interface AdagradArgs extends OptimizerArgs {
  initialAccumulatorValue?: number;
  epsilon?: number;
}
export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(a: AdagradArgs = {}) {
    super(a, 0.001);
    this.initialAccumulatorValue = a.initialAccumulatorValue ?? 0.1;
    this.epsilon = a.epsilon ?? 1e-7;
    if (!(this.initialAccumulatorValue >= 0))
      invalid('initialAccumulatorValue', 'a non-negative number', a.initialAccumulatorValue);
    checkEps(this.epsilon);
  }
  slotNames() {
    return ['accumulator'];
  }
  override slotInit() {
    return this.initialAccumulatorValue;
  }
  protected update(be: Backend, p: ParamSlots, lr: number) {
    be.adagrad(p.ptr, p.grad, p.slots[0]!, p.size, lr, this.epsilon);
  }
  override getConfig() {
    return { ...super.getConfig(), initial_accumulator_value: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

export interface AdadeltaArgs extends OptimizerArgs {
  rho?: number;
  epsilon?: number;
}
export class Adadelta extends Optimizer {
  readonly className = 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;
  constructor(a: AdadeltaArgs = {}) {
    super(a, 0.001);
    this.rho = a.rho ?? 0.95;
    this.epsilon = a.epsilon ?? 1e-7;
    checkBeta('rho', this.rho);
    checkEps(this.epsilon);
  }
  slotNames() {
    return ['accumulated_grad', 'accumulated_delta_var'];
  }
  protected update(be: Backend, p: ParamSlots, lr: number) {
    be.adadelta(p.ptr, p.grad, p.slots[0]!, p.slots[1]!, p.size, lr, this.rho, this.epsilon);
  }
  override getConfig() {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}

export class Adamax extends Optimizer {
  readonly className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(a: AdamArgs = {}) {
    super(a, 0.001);
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
    checkBeta('beta1', this.beta1);
    checkBeta('beta2', this.beta2);
    checkEps(this.epsilon);
  }
  slotNames() {
    return ['m', 'u'];
  }
  protected update(be: Backend, p: ParamSlots, lr: number, t: number) {
    be.adamax(
      p.ptr,
      p.grad,
      p.slots[0]!,
      p.slots[1]!,
      p.size,
      lr / (1 - Math.pow(this.beta1, t)),
      this.beta1,
      this.beta2,
      this.epsilon,
    );
  }
  override getConfig() {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}

/** Keras 3 Nadam, with its momentum schedule μ_t = β1·(1 − 0.5·0.96^t) (keras/src/optimizers/nadam.py). */
export class Nadam extends Optimizer {
  readonly className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private uProduct = 1;
  private c1 = 0;
  private c2 = 0;
  private c3 = 0;
  constructor(a: AdamArgs = {}) {
    super(a, 0.001);
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.999;
    this.epsilon = a.epsilon ?? 1e-7;
    checkBeta('beta1', this.beta1);
    checkBeta('beta2', this.beta2);
    checkEps(this.epsilon);
  }
  slotNames() {
    return ['momentum', 'velocity'];
  }
  protected override beginStep(t: number) {
    const ut = this.beta1 * (1 - 0.5 * Math.pow(0.96, t));
    const ut1 = this.beta1 * (1 - 0.5 * Math.pow(0.96, t + 1));
    const uProdT = this.uProduct * ut;
    const uProdT1 = uProdT * ut1;
    this.uProduct = uProdT;
    this.c1 = ut1 / (1 - uProdT1);
    this.c2 = (1 - ut) / (1 - uProdT);
    this.c3 = 1 / (1 - Math.pow(this.beta2, t));
  }
  protected update(be: Backend, p: ParamSlots, lr: number) {
    be.nadam(
      p.ptr,
      p.grad,
      p.slots[0]!,
      p.slots[1]!,
      p.size,
      lr,
      this.beta1,
      this.beta2,
      this.epsilon,
      this.c1,
      this.c2,
      this.c3,
    );
  }
  override getConfig() {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
  override getState() {
    return { ...super.getState(), u_product: this.uProduct };
  }
  override setState(s: Record<string, number>) {
    super.setState(s);
    this.uProduct = s.u_product ?? 1;
  }
}

export interface LionArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
}
/** Keras 3 Lion: the sign of an interpolated momentum (Chen et al., 2023). One slot, 'momentum'. */
export class Lion extends Optimizer {
  readonly className = 'Lion';
  readonly beta1: number;
  readonly beta2: number;
  constructor(a: LionArgs = {}) {
    super(a, 0.001);
    this.beta1 = a.beta1 ?? 0.9;
    this.beta2 = a.beta2 ?? 0.99;
    if (!(typeof this.beta1 === 'number' && this.beta1 > 0 && this.beta1 <= 1)) {
      invalid('beta1', 'a number in (0, 1] (with beta1 = 0 Lion degenerates to SignSGD)', a.beta1);
    }
    if (!(typeof this.beta2 === 'number' && this.beta2 >= 0 && this.beta2 <= 1))
      invalid('beta2', 'a number in [0, 1]', a.beta2);
  }
  slotNames() {
    return ['momentum'];
  }
  protected update(be: Backend, p: ParamSlots, lr: number) {
    be.lion(p.ptr, p.grad, p.slots[0]!, p.size, lr, this.beta1, this.beta2);
  }
  override getConfig() {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2 };
  }
}

export interface FtrlArgs extends OptimizerArgs {
  learningRatePower?: number;
  initialAccumulatorValue?: number;
  l1RegularizationStrength?: number;
  l2RegularizationStrength?: number;
  l2ShrinkageRegularizationStrength?: number;
  beta?: number;
}
/** Keras 3 FTRL ("Follow The Regularized Leader", McMahan et al., 2013). Slots 'accumulator' and 'linear'. */
export class Ftrl extends Optimizer {
  readonly className = 'Ftrl';
  readonly learningRatePower: number;
  readonly initialAccumulatorValue: number;
  readonly l1RegularizationStrength: number;
  readonly l2RegularizationStrength: number;
  readonly l2ShrinkageRegularizationStrength: number;
  readonly beta: number;
  constructor(a: FtrlArgs = {}) {
    super(a, 0.001);
    const num = (name: string, v: unknown, def: number, ok: (x: number) => boolean, expected: string): number => {
      const x = v ?? def;
      if (!(typeof x === 'number' && Number.isFinite(x) && ok(x))) invalid(name, expected, v);
      return x as number;
    };
    const nonneg = (x: number) => x >= 0;
    this.learningRatePower = num(
      'learningRatePower',
      a.learningRatePower,
      -0.5,
      (x) => x <= 0,
      'a number ≤ 0 (0: a fixed learning rate)',
    );
    this.initialAccumulatorValue = num(
      'initialAccumulatorValue',
      a.initialAccumulatorValue,
      0.1,
      nonneg,
      'a non-negative number',
    );
    this.l1RegularizationStrength = num(
      'l1RegularizationStrength',
      a.l1RegularizationStrength,
      0,
      nonneg,
      'a non-negative number',
    );
    this.l2RegularizationStrength = num(
      'l2RegularizationStrength',
      a.l2RegularizationStrength,
      0,
      nonneg,
      'a non-negative number',
    );
    this.l2ShrinkageRegularizationStrength = num(
      'l2ShrinkageRegularizationStrength',
      a.l2ShrinkageRegularizationStrength,
      0,
      nonneg,
      'a non-negative number',
    );
    this.beta = num('beta', a.beta, 0, nonneg, 'a non-negative number');
  }
  slotNames() {
    return ['accumulator', 'linear'];
  }
  override slotInit(slot: number) {
    return slot === 0 ? this.initialAccumulatorValue : 0;
  }
  protected update(be: Backend, p: ParamSlots, lr: number) {
    // A zero learning rate divides by zero in Keras too (NaN weights); keep the weights instead.
    if (lr === 0) return;
    be.ftrl(
      p.ptr,
      p.grad,
      p.slots[0]!,
      p.slots[1]!,
      p.size,
      lr,
      this.learningRatePower,
      this.l1RegularizationStrength,
      this.l2RegularizationStrength + this.beta / (2 * lr),
      this.l2ShrinkageRegularizationStrength,
    );
  }
  override getConfig() {
    return {
      ...super.getConfig(),
      learning_rate_power: this.learningRatePower,
      initial_accumulator_value: this.initialAccumulatorValue,
      l1_regularization_strength: this.l1RegularizationStrength,
      l2_regularization_strength: this.l2RegularizationStrength,
      l2_shrinkage_regularization_strength: this.l2ShrinkageRegularizationStrength,
      beta: this.beta,
    };
  }
}

/**
 * X *= s, exactly enough even when s is below float32's normal range (a norm
 * above 2^126·clip makes the factor a float32 subnormal, which has few bits):
 * then scale twice by √s, each a normal float32.
 */
function scaleBy(be: Backend, X: number, n: number, s: number): void {
  if (s !== 0 && s < 1.1754943508222875e-38) {
    const r = Math.sqrt(s);
    be.scale(X, n, r);
    be.scale(X, n, s / r);
  } else be.scale(X, n, s);
}

function checkBeta(name: string, v: number) {
  if (!(typeof v === 'number' && v >= 0 && v < 1)) invalid(name, 'a number in [0, 1)', v);
}
function checkEps(v: number) {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) invalid('epsilon', 'a positive number', v);
}

// Factories: sn.optimizers.adam({ learningRate: 1e-3 }). Every one also takes clipnorm,
// clipvalue, globalClipnorm and weightDecay (see OptimizerArgs), and a learning rate
// that may be a schedule (sn.schedules.*).

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum. learningRate defaults to 0.01, momentum to 0.
 * @example sn.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true })
 */
export const sgd = (a: SGDArgs = {}) => new SGD(a);
/** SGD with momentum 0.9 unless given. @example sn.optimizers.momentum({ learningRate: 0.01 }) */
export const momentum = (a: SGDArgs = {}) => new SGD({ momentum: 0.9, ...a });
/**
 * Adam (Kingma & Ba). learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false by default. @example
 * sn.optimizers.adam({ learningRate: 1e-3, globalClipnorm: 1 })
 */
export const adam = (a: AdamArgs = {}) => new Adam(a);
/**
 * Adam with decoupled weight decay; weightDecay defaults to 0.004 (Keras). @example sn.optimizers.adamw({ weightDecay:
 * 0.01 })
 */
export const adamw = (a: AdamArgs = {}) => new AdamW(a);
/**
 * RMSprop. learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false by default. @example
 * sn.optimizers.rmsprop({ centered: true })
 */
export const rmsprop = (a: RMSpropArgs = {}) => new RMSprop(a);
/**
 * AdaGrad. learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7 by default. @example sn.optimizers.adagrad({
 * learningRate: 0.01 })
 */
export const adagrad = (a: AdagradArgs = {}) => new Adagrad(a);
/**
 * Adadelta. learningRate 0.001, rho 0.95, epsilon 1e-7 by default (Keras). @example sn.optimizers.adadelta({
 * learningRate: 1 })
 */
export const adadelta = (a: AdadeltaArgs = {}) => new Adadelta(a);
/**
 * Adamax (Adam with the infinity norm). learningRate 0.001, beta1 0.9, beta2 0.999 by default. @example
 * sn.optimizers.adamax()
 */
export const adamax = (a: AdamArgs = {}) => new Adamax(a);
/**
 * Nadam (Adam with Nesterov momentum, Keras 3's schedule). learningRate 0.001 by default. @example
 * sn.optimizers.nadam()
 */
export const nadam = (a: AdamArgs = {}) => new Nadam(a);
/**
 * Lion (Keras 3). learningRate 0.001, beta1 0.9, beta2 0.99 by default; use a 3–10× smaller learning rate than AdamW.
 * @example sn.optimizers.lion({ learningRate: 1e-4, weightDecay: 0.01 })
 */
export const lion = (a: LionArgs = {}) => new Lion(a);
/**
 * FTRL (Keras 3). learningRate 0.001, learningRatePower −0.5, initialAccumulatorValue 0.1, the regularization strengths
 * and beta 0 by default. @example sn.optimizers.ftrl({ learningRate: 0.05, l1RegularizationStrength: 0.01 })
 */
export const ftrl = (a: FtrlArgs = {}) => new Ftrl(a);

const BY_NAME: Record<string, (a: Record<string, unknown>) => Optimizer> = {
  sgd: (a) => new SGD(a),
  adam: (a) => new Adam(a),
  adamw: (a) => new AdamW(a),
  rmsprop: (a) => new RMSprop(a),
  adagrad: (a) => new Adagrad(a),
  adadelta: (a) => new Adadelta(a),
  adamax: (a) => new Adamax(a),
  nadam: (a) => new Nadam(a),
  lion: (a) => new Lion(a),
  ftrl: (a) => new Ftrl(a),
};
export const optimizerNames = [
  'sgd',
  'adam',
  'adamw',
  'rmsprop',
  'adagrad',
  'adadelta',
  'adamax',
  'nadam',
  'lion',
  'ftrl',
];

/** Map a Keras snake_case config to constructor args. */
function argsFromConfig(c: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === '__proto__' || k === 'constructor' || k === 'name') continue;
    const camel = k.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()).replace(/^beta([12])$/, 'beta$1');
    out[camel] = v;
  }
  if (typeof out.learningRate === 'object' && out.learningRate !== null) {
    const s = out.learningRate as { class_name?: string; config?: Record<string, unknown> };
    const sc = s.config ?? {};
    const g = (k: string) => sc[k] as number;
    out.learningRate =
      s.class_name === 'ExponentialDecay'
        ? new ExponentialDecay(g('initial_learning_rate'), g('decay_steps'), g('decay_rate'), !!sc.staircase)
        : s.class_name === 'PiecewiseConstantDecay'
          ? new PiecewiseConstantDecay(sc.boundaries as number[], sc.values as number[])
          : s.class_name === 'CosineDecay'
            ? new CosineDecay(g('initial_learning_rate'), g('decay_steps'), g('alpha') ?? 0)
            : invalid('learning_rate', 'a number or a known schedule', s.class_name);
  }
  return out;
}

/** Resolve a name, an optimizer, or a `{className, config}` object. */
export function getOptimizer(id: unknown, argName = 'optimizer'): Optimizer {
  if (id instanceof Optimizer) return id;
  let name: string | undefined,
    cfg: Record<string, unknown> = {};
  if (typeof id === 'string') name = id;
  else if (typeof id === 'object' && id !== null && typeof (id as { className?: unknown }).className === 'string') {
    name = (id as { className: string }).className;
    cfg = argsFromConfig((id as { config?: Record<string, unknown> }).config ?? {});
  }
  const key = name === undefined ? '' : normalizeName(name);
  if (!Object.prototype.hasOwnProperty.call(BY_NAME, key)) {
    throw new ValueError(
      `Unknown value for \`${argName}\`: expected one of ${optimizerNames.map((n) => `'${n}'`).join(', ')} or an Optimizer. Received: ${describe(name ?? id)}`,
    );
  }
  return BY_NAME[key]!(cfg);
}
