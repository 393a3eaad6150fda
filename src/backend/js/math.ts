/**
 * Scalar float64 math for the pure-TypeScript backend: a double-precision erf
 * (for exact GELU) and the numerically stable forms of the sigmoid family.
 */

// erf/erfc after fdlibm's s_erf.c (Sun Microsystems, freely redistributable):
// rational approximations on [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35),
// [1/0.35, 28), accurate to about 1 ulp in double. A cheaper formula such as
// Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7) would be visible in float32 GELU
// outputs, and this backend is the reference the wasm kernels are checked against.
const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
const PP0 = 1.28379167095512558561e-1,
  PP1 = -3.2504210724700149937e-1,
  PP2 = -2.84817495755985104766e-2,
  PP3 = -5.77027029648944159157e-3,
  PP4 = -2.37630166566501626084e-5;
const QQ1 = 3.97917223959155352819e-1,
  QQ2 = 6.50222499887672944485e-2,
  QQ3 = 5.08130628187576562776e-3,
  QQ4 = 1.32494738004321644526e-4,
  QQ5 = -3.9602282787753681232e-6;
const PA0 = -2.36211856075265944077e-3,
  PA1 = 4.14856118683748331666e-1,
  PA2 = -3.72207876035701323847e-1,
  PA3 = 3.18346619901161753674e-1,
  PA4 = -1.10894694282396677476e-1,
  PA5 = 3.54783043256182359371e-2,
  PA6 = -2.166375594868790843e-3;
const QA1 = 1.06420880400844228286e-1,
  QA2 = 5.40397917702171048937e-1,
  QA3 = 7.18286544141962662868e-2,
  QA4 = 1.26171219808761642112e-1,
  QA5 = 1.36370839120290507362e-2,
  QA6 = 1.1984499846799107417e-2;
const RA0 = -9.86494403484714822705e-3,
  RA1 = -6.93858572707181764372e-1,
  RA2 = -1.05586262253232909814e1,
  RA3 = -6.23753324503260060396e1,
  RA4 = -1.62396669462573470355e2,
  RA5 = -1.84605092906711035994e2,
  RA6 = -8.12874355063065934246e1,
  RA7 = -9.81432934416914548592;
const SA1 = 1.96512716674392571292e1,
  SA2 = 1.376577541435190426e2,
  SA3 = 4.34565877475229228821e2,
  SA4 = 6.45387271733267880336e2,
  SA5 = 4.29008140027567833386e2,
  SA6 = 1.08635005541779435134e2,
  SA7 = 6.57024977031928170135,
  SA8 = -6.04244152148580987438e-2;
const RB0 = -9.86494292470009928597e-3,
  RB1 = -7.99283237680523006574e-1,
  RB2 = -1.77579549177547519889e1,
  RB3 = -1.60636384855821916062e2,
  RB4 = -6.37566443368389627722e2,
  RB5 = -1.02509513161107724954e3,
  RB6 = -4.83519191608651397019e2;
const SB1 = 3.03380607434824582924e1,
  SB2 = 3.25792512996573918826e2,
  SB3 = 1.53672958608443695994e3,
  SB4 = 3.19985821950859553908e3,
  SB5 = 2.55305040643316442583e3,
  SB6 = 4.74528541206955367215e2,
  SB7 = -2.24409524465858183362e1;

/** erfc(x) for x ≥ 1.25 (the tail, computed without cancellation). */
function erfcTail(x: number): number {
  if (x >= 28) return 0;
  const s = 1 / (x * x);
  let r: number, q: number;
  if (x < 1 / 0.35) {
    r = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
    q = 1 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));
  } else {
    r = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
    q = 1 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));
  }
  // fdlibm splits x·x into a high part and a correction to keep the exponent
  // exact; the unsplit form loses ~x²·1e-16 relative, far below float32.
  return Math.exp(-x * x - 0.5625 + r / q) / x;
}

/** erf(x), double precision. */
export function erf(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 2.8e-17) return x + EFX * x;
    const z = x * x;
    const r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
    const s = 1 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
    return x + x * (r / s);
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
    const q = 1 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
    return x >= 0 ? ERX + p / q : -ERX - p / q;
  }
  if (ax >= 6) return x >= 0 ? 1 : -1;
  const r = 1 - erfcTail(ax);
  return x >= 0 ? r : -r;
}

/** erfc(x) = 1 − erf(x), without cancellation for large positive x. */
export function erfc(x: number): number {
  if (x !== x) return x;
  if (x < 1.25) {
    if (x > -0.84375 && x < 0.84375) return 1 - erf(x);
    if (x >= 0.84375) {
      const s = x - 1;
      const p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
      const q = 1 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
      return 1 - ERX - p / q;
    }
    return 1 - erf(x); // x ≤ −0.84375: erfc ∈ (1.77, 2], no cancellation
  }
  return erfcTail(x);
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

/** Standard normal CDF Φ(x) = 0.5·erfc(−x/√2), accurate in both tails. */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** Standard normal density φ(x). */
export function normPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** Logistic sigmoid without overflow: e^−|x| never exceeds 1. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) = max(x,0) + log1p(e^−|x|), finite for every finite x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log(cosh(x)) = |x| + log1p(e^−2|x|) − log 2: cosh overflows past |x| ≈ 710. */
export function logCosh(x: number): number {
  const a = Math.abs(x);
  // Near 0 the stable form below cancels (|x| + log1p(e^-2|x|) - ln 2 ≈ x²/2):
  // use the series x²/2 − x⁴/12 + x⁶/45, exact to double precision for |x| < 1e-3.
  if (a < 1e-3) {
    const x2 = a * a;
    return x2 * (0.5 - x2 * (1 / 12 - x2 / 45));
  }
  return a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
}

/** SELU constants (Klambauer et al. 2017), as Keras defines them. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;
