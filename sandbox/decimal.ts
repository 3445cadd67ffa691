/**
 * Exact decimal arithmetic on strings via BigInt. Costs in real files carry up to 28 decimals,
 * so the ground truth sums them at a fixed scale of 1e-28 and never touches floating point.
 */
export const SCALE = 28;
const TEN = 10n;
const SCALE_FACTOR = TEN ** BigInt(SCALE);

/** Parse a plain decimal string ("-0.0001188669", "12", "3.") into units of 1e-28. */
export function parseDec(s: string): bigint {
  let str = s.trim();
  let neg = false;
  if (str.startsWith('-')) {
    neg = true;
    str = str.slice(1);
  } else if (str.startsWith('+')) {
    str = str.slice(1);
  }
  const dot = str.indexOf('.');
  const intPart = dot < 0 ? str : str.slice(0, dot);
  let frac = dot < 0 ? '' : str.slice(dot + 1);
  if (frac.length > SCALE) throw new Error(`decimal with more than ${SCALE} decimals: ${s}`);
  frac = frac.padEnd(SCALE, '0');
  const v = BigInt(intPart || '0') * SCALE_FACTOR + BigInt(frac || '0');
  return neg ? -v : v;
}

/** Format units of 1e-28 as a decimal string without trailing zeros. */
export function formatDec(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / SCALE_FACTOR;
  const frac = (a % SCALE_FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + int.toString() + (frac ? '.' + frac : '');
}

/** Round units of 1e-28 to integer cents, half away from zero. */
export function toCents(v: bigint): bigint {
  const unit = TEN ** BigInt(SCALE - 2);
  const neg = v < 0n;
  const a = neg ? -v : v;
  let c = a / unit;
  if ((a % unit) * 2n >= unit) c += 1n;
  return neg ? -c : c;
}

function decimals(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Exact product of two decimal strings, rendered with exactly (da + db) decimals. */
export function mulDec(a: string, b: string): string {
  const da = decimals(a);
  const db = decimals(b);
  const ia = BigInt(a.replace('.', ''));
  const ib = BigInt(b.replace('.', ''));
  return withScale(ia * ib, da + db);
}

/** Render an integer `v` meaning v * 10^-scale, keeping all `scale` decimals. */
export function withScale(v: bigint, scale: number): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return (neg ? '-' : '') + body;
}

/** Drop trailing fractional zeros ("1.2300" -> "1.23", "2.000" -> "2"). */
export function trimDec(s: string): string {
  if (s.indexOf('.') < 0) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}
