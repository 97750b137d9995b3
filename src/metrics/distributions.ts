/**
 * The distribution functions the paired tests and the minimum detectable effect need: the standard normal
 * CDF and quantile, and Student's t CDF. Written here rather than taken from a statistics package because
 * they are a few dozen lines and the gate must give the same p-value on every machine, byte for byte.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);
// Hart 5666's rational function, highest power first.
const HART_NUMERATOR = [
  3.52624965998911e-2, 0.700383064443688, 6.37396220353165, 33.912866078383, 112.079291497871,
  221.213596169931, 220.206867912376,
];
const HART_DENOMINATOR = [
  8.83883476483184e-2, 1.75566716318264, 16.064177579207, 86.7807322029461, 296.564248779674,
  637.333633378831, 793.826512519948, 440.413735824752,
];

/**
 * Φ(x), the standard normal CDF: Hart's double-precision algorithm 5666 as W. J. West published it
 * ("Better approximations to cumulative normal functions", 2005). The tail is computed directly, not as
 * 1 − Φ(|x|), so small probabilities keep their relative precision: absolute error < 3e-16 everywhere,
 * relative error < 1e-12 for x ≥ −3 and < 1e-8 beyond (probabilities far below any alpha).
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x);
  let tail: number;
  if (z < 7.07106781186547) {
    const numerator = polynomial(HART_NUMERATOR, z);
    const denominator = polynomial(HART_DENOMINATOR, z);
    tail = (Math.exp((-z * z) / 2) * numerator) / denominator;
  } else {
    let fraction = z + 0.65;
    fraction = z + 4 / fraction;
    fraction = z + 3 / fraction;
    fraction = z + 2 / fraction;
    fraction = z + 1 / fraction;
    tail = Math.exp((-z * z) / 2) / fraction / SQRT_2PI;
  }
  return x > 0 ? 1 - tail : tail;
}

// Acklam's rational approximations of the normal quantile (relative error < 1.15e-9 before refinement).
const CENTRAL_NUMERATOR = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const CENTRAL_DENOMINATOR = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
];
const TAIL_NUMERATOR = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549671010429504, 4.374664141464968,
  2.938163982698783,
];
const TAIL_DENOMINATOR = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const TAIL_START = 0.02425;

/** Horner's rule; `leadingOne` appends the constant term 1 the denominators share. */
function polynomial(coefficients: number[], x: number, leadingOne = false): number {
  let value = 0;
  for (const c of coefficients) value = value * x + c;
  return leadingOne ? value * x + 1 : value;
}

/**
 * Φ⁻¹(p): Acklam's approximation refined by one Halley step on `normalCdf`, which brings it to the CDF's
 * own accuracy: error < 1e-14 for 1e-6 ≤ p ≤ 1 − 1e-6, < 2e-9 further out. Upper-half probabilities are
 * reflected (1 − p is exact there), so the refinement always runs in the lower tail, where Φ is precise.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must lie in [0, 1], got ${p}`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p > 0.5) return -normalQuantile(1 - p);
  let x: number;
  if (p < TAIL_START) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = polynomial(TAIL_NUMERATOR, q) / polynomial(TAIL_DENOMINATOR, q, true);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = (polynomial(CENTRAL_NUMERATOR, r) * q) / polynomial(CENTRAL_DENOMINATOR, r, true);
  }
  const u = (normalCdf(x) - p) * SQRT_2PI * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

// Lanczos approximation of Γ (g = 7, 9 terms): ~15 significant digits for positive arguments.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let series = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) series += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

const FRACTION_EPSILON = 1e-15;
const FRACTION_TINY = 1e-300;
const FRACTION_MAX_TERMS = 10_000;

/**
 * The continued fraction of the incomplete beta function, evaluated by the modified Lentz method
 * (Numerical Recipes, §6.4). It converges fast for x < (a + 1) / (a + b + 2); the caller uses the symmetry
 * I_x(a, b) = 1 − I_{1−x}(b, a) to stay there.
 */
function betaFraction(x: number, a: number, b: number): number {
  const sum = a + b;
  let c = 1;
  let d = 1 / awayFromZero(1 - (sum * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= FRACTION_MAX_TERMS; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 / awayFromZero(1 + even * d);
    c = awayFromZero(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (sum + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 / awayFromZero(1 + odd * d);
    c = awayFromZero(1 + odd / c);
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < FRACTION_EPSILON) return h;
  }
  throw new Error(`incomplete beta: no convergence for a = ${a}, b = ${b}, x = ${x}`);
}

/** Lentz's guard: a zero denominator is replaced by a tiny one, and the fraction carries on. */
function awayFromZero(value: number): number {
  return Math.abs(value) < FRACTION_TINY ? FRACTION_TINY : value;
}

/**
 * I_x(a, b), the regularized incomplete beta function, for a, b > 0. `complement` is 1 − x, passed by
 * callers that know it more precisely than 1 − x can be computed (x close to 1).
 */
export function regularizedBeta(x: number, a: number, b: number, complement = 1 - x): number {
  if (x <= 0) return 0;
  if (complement <= 0) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(complement),
  );
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(complement, b, a)) / b;
}

/**
 * P(T ≤ t) for Student's t with `df` degrees of freedom (df > 0, fractional allowed), through
 * P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2). Each tail is computed directly, so small p-values keep their
 * relative precision. Absolute error < 1e-11 up to df = 1e6 (ln Γ of df/2 loses digits beyond), far more
 * queries than an evaluation set has.
 */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTCdf: degrees of freedom must be positive, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const t2 = t * t;
  const twoTailed = regularizedBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
  return t > 0 ? 1 - twoTailed / 2 : twoTailed / 2;
}
