// The monthly report form's model: the breakdowns of the counts (vif.statistics.v1.ReportCounts),
// their buckets in French, and the checks the API makes (the proto's rules and the statistics
// domain's), run before sending so that the reader sees the same messages under the same fields.
import type { Schemas } from "../api";
import { Problem } from "../api";

export type Report = Schemas["vif.statistics.v1.Report"];
export type ReportCounts = Schemas["vif.statistics.v1.ReportCounts"];
export type Figures = Schemas["vif.statistics.v1.Figures"];

/** The largest count the API takes (ReportCounts: lte 1000000). */
export const MAX_COUNT = 1_000_000;
/** The first year the API takes a report for. */
export const FIRST_YEAR = 2000;

export type Dimension = {
  /** The JSON field of ReportCounts and Figures (byForm). */
  key: "byForm" | "bySex" | "byAgeBand" | "byReferral";
  /** The proto field, as the API names it in its errors (by_form). */
  field: string;
  /** The bucket's field in an entry (form). */
  prop: "form" | "sex" | "ageBand" | "referral";
  legend: string;
  /** The buckets the reader fills in; the UNKNOWN bucket gets the victims they do not count. */
  buckets: [string, string][];
  unknown: string;
};

export const DIMENSIONS: Dimension[] = [
  {
    key: "byForm", field: "by_form", prop: "form", legend: "Selon la forme principale de violence",
    buckets: [
      ["FORM_OF_VIOLENCE_PHYSICAL", "Physiques"],
      ["FORM_OF_VIOLENCE_PSYCHOLOGICAL", "Psychologiques"],
      ["FORM_OF_VIOLENCE_SEXUAL", "Sexuelles"],
      ["FORM_OF_VIOLENCE_ECONOMIC", "Économiques"],
      ["FORM_OF_VIOLENCE_ADMINISTRATIVE", "Administratives"],
    ],
    unknown: "FORM_OF_VIOLENCE_UNKNOWN",
  },
  {
    key: "bySex", field: "by_sex", prop: "sex", legend: "Selon le sexe",
    buckets: [
      ["SEX_FEMALE", "Femmes"],
      ["SEX_MALE", "Hommes"],
    ],
    unknown: "SEX_UNKNOWN",
  },
  {
    key: "byAgeBand", field: "by_age_band", prop: "ageBand", legend: "Selon l’âge",
    buckets: [
      ["AGE_BAND_UNDER_18", "Moins de 18 ans"],
      ["AGE_BAND_18_TO_24", "18 à 24 ans"],
      ["AGE_BAND_25_TO_34", "25 à 34 ans"],
      ["AGE_BAND_35_TO_44", "35 à 44 ans"],
      ["AGE_BAND_45_TO_54", "45 à 54 ans"],
      ["AGE_BAND_55_TO_64", "55 à 64 ans"],
      ["AGE_BAND_65_AND_OVER", "65 ans et plus"],
    ],
    unknown: "AGE_BAND_UNKNOWN",
  },
  {
    key: "byReferral", field: "by_referral", prop: "referral", legend: "Selon qui a orienté la victime",
    buckets: [
      ["REFERRAL_POLICE_GENDARMERIE", "Police ou gendarmerie"],
      ["REFERRAL_JUSTICE", "Justice"],
      ["REFERRAL_HEALTH", "Santé"],
      ["REFERRAL_SOCIAL_SERVICES", "Services sociaux"],
      ["REFERRAL_ASSOCIATION", "Association ou ligne d’écoute"],
      ["REFERRAL_SELF", "La victime elle-même"],
      ["REFERRAL_OTHER", "Autre"],
    ],
    unknown: "REFERRAL_UNKNOWN",
  },
];

/** What the form holds: the counts as typed, by bucket. */
export type CountsForm = { victims: string; children: string; buckets: Record<string, string> };

export function emptyCounts(): CountsForm {
  return { victims: "", children: "", buckets: {} };
}

/** The form of a report's latest revision (raw figures): the UNKNOWN buckets are left out. */
export function formOf(f: Figures | undefined): CountsForm {
  const out = emptyCounts();
  out.victims = f?.victimsSupported?.value ?? "";
  out.children = f?.childrenExposed?.value ?? "";
  for (const d of DIMENSIONS) {
    const entries = (f?.[d.key] ?? []) as Record<string, unknown>[];
    for (const e of entries) {
      const bucket = String(e[d.prop]);
      const v = (e.count as { value?: string } | undefined)?.value;
      if (bucket !== d.unknown && v !== undefined && v !== "0") out.buckets[bucket] = v;
    }
  }
  return out;
}

/** The buckets sent for each dimension, in the order sent: the API's errors name them by index. */
export function sentBuckets(form: CountsForm): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of DIMENSIONS) out[d.field] = d.buckets.map(([b]) => b).filter((b) => (form.buckets[b] ?? "").trim() !== "");
  return out;
}

const digits = /^\s*\d+\s*$/;

/** The counts to send. */
export function countsOf(form: CountsForm): ReportCounts {
  const sent = sentBuckets(form);
  const out: Record<string, unknown> = { victimsSupported: form.victims.trim() };
  if (form.children.trim() !== "") out.childrenExposed = form.children.trim();
  for (const d of DIMENSIONS) {
    const list = (sent[d.field] ?? []).map((b) => ({ [d.prop]: b, count: (form.buckets[b] ?? "").trim() }));
    if (list.length) out[d.key] = list;
  }
  return out as ReportCounts;
}

const integer = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });

/** What is wrong with a report's month, as the API would say it, or undefined. */
export function periodError(period: string, now = new Date()): string | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period.trim());
  if (!m) return "Un mois s’écrit AAAA-MM (par exemple 2026-03).";
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (y < FIRST_YEAR) return `L’année ${y} est antérieure à ${FIRST_YEAR}, la première année suivie.`;
  if (y > now.getFullYear() || (y === now.getFullYear() && mo > now.getMonth() + 1))
    return "Cette période n’a pas encore commencé : un rapport compte ce qui a eu lieu.";
  return undefined;
}

/**
 * The checks of SubmitReport, before sending: the period is a month from 2000 that has begun, a
 * count is a whole number from 0 to 1,000,000, and a breakdown counts at most the victims
 * supported. Field names are the API's (period, counts.by_form[2].count…).
 */
export function check(period: string, form: CountsForm, now = new Date()): Problem | undefined {
  const fields = new Map<string, string>();
  const pe = periodError(period, now);
  if (pe) fields.set("period", pe);
  const count = (field: string, v: string, required: boolean): number | undefined => {
    if (v.trim() === "") {
      if (required) fields.set(field, "Saisissez le nombre de victimes accompagnées (0 s’il n’y en a pas eu).");
      return undefined;
    }
    if (!digits.test(v) || Number(v) > MAX_COUNT) {
      fields.set(field, `Saisissez un nombre entier de 0 à ${integer.format(MAX_COUNT)}.`);
      return undefined;
    }
    return Number(v);
  };
  const victims = count("counts.victims_supported", form.victims, true);
  count("counts.children_exposed", form.children, false);
  const sent = sentBuckets(form);
  for (const d of DIMENSIONS) {
    let sum = 0;
    (sent[d.field] ?? []).forEach((b, i) => {
      sum += count(`counts.${d.field}[${i}].count`, form.buckets[b] ?? "", false) ?? 0;
    });
    if (victims !== undefined && sum > victims)
      fields.set(`counts.${d.field}`, `Cette répartition compte ${integer.format(sum)} victimes, plus que les ${integer.format(victims)} victimes accompagnées.`);
  }
  if (fields.size === 0) return undefined;
  return new Problem("Certaines valeurs ne sont pas acceptées : voyez le message sous chaque champ concerné.", 400, fields, "INVALID_ARGUMENT");
}

/** The victims a breakdown leaves to its UNKNOWN bucket, or undefined when it cannot say yet. */
export function rest(form: CountsForm, d: Dimension): number | undefined {
  if (!digits.test(form.victims)) return undefined;
  let sum = 0;
  for (const [b] of d.buckets) {
    const v = form.buckets[b] ?? "";
    if (v.trim() === "") continue;
    if (!digits.test(v)) return undefined;
    sum += Number(v);
  }
  const r = Number(form.victims) - sum;
  return r >= 0 ? r : undefined;
}
