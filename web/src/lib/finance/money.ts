// Money and shares as the API gives them, exact: amounts are integer euro cents (int64, a decimal
// string in JSON), shares basis points. Nothing here goes through a float: a typed amount becomes
// cents by its digits, and cents are shown by handing Intl.NumberFormat the exact decimal string
// (Intl.NumberFormat reads a string as an exact decimal, not as a double).

const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
const percent = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 0, maximumFractionDigits: 2 });

/** The exact decimal string of n hundredths: 450000 → "4500.00", -5 → "-0.05". */
export function hundredths(n: bigint): string {
  const sign = n < 0n ? "-" : "";
  const a = n < 0n ? -n : n;
  return `${sign}${a / 100n}.${(a % 100n).toString().padStart(2, "0")}`;
}

/** Cents as the API gives them ("4500000", 4500000, undefined) as a bigint; absent is 0. */
export function cents(v: string | number | bigint | undefined | null): bigint {
  if (v === undefined || v === null || v === "") return 0n;
  return BigInt(v);
}

/** An amount in cents in euros, French style: "45 000,00 €". */
export function formatCents(v: string | number | bigint | undefined | null): string {
  // Intl.NumberFormat v3 takes a decimal string exactly; the lib types of ES2022 only know numbers.
  return euros.format(hundredths(cents(v)) as unknown as number);
}

/** Basis points as a French percentage: 3300 → "33 %", 3333 → "33,33 %". */
export function formatBP(bp: number | undefined): string {
  return `${percent.format(hundredths(BigInt(bp ?? 0)) as unknown as number)} %`;
}

/**
 * Reads a decimal typed in French or English style with at most two decimals ("45 000,50",
 * "45000.5", "45 000 €", "33 %") as a count of hundredths; undefined when it is not one.
 */
export function parseHundredths(text: string): bigint | undefined {
  const s = text.replace(/[\s\u00a0\u202f€%]/g, "");
  const m = /^(\d{1,15})(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m || m[1] === undefined) return undefined;
  return BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
}

/** Euros typed by the reader as cents, or undefined when it is not an amount to the cent. */
export function parseEuros(text: string): bigint | undefined {
  return parseHundredths(text);
}

/** A percentage typed by the reader ("33", "33,33") as basis points (0 to 10000), or undefined. */
export function parsePercentBP(text: string): number | undefined {
  const h = parseHundredths(text);
  return h === undefined || h > 10000n ? undefined : Number(h);
}
