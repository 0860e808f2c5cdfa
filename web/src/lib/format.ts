// French formats of the figures, and the labels of the API's enums.
import type { Count, Ratio } from "./api";

const integer = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 2 });
const signed = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" });

/** What a table cell shows of a figure: its value, « secret statistique », or a dash. */
export type Shown = { text: string; hidden: boolean; missing: boolean };

export const SECRET = "secret statistique";

export function showCount(c: Count | undefined): Shown {
  if (c?.hidden) return { text: SECRET, hidden: true, missing: false };
  if (c?.value === undefined) return { text: "—", hidden: false, missing: true };
  return { text: integer.format(Number(c.value)), hidden: false, missing: false };
}

export function showRatio(r: Ratio | undefined, kind: "percent" | "points" | "plain"): Shown {
  if (r?.hidden) return { text: SECRET, hidden: true, missing: false };
  if (r?.value === undefined) return { text: "—", hidden: false, missing: true };
  const v = Number(r.value);
  if (kind === "percent") return { text: `${signed.format(v)} %`, hidden: false, missing: false };
  if (kind === "points") return { text: `${signed.format(v)} pts`, hidden: false, missing: false };
  return { text: decimal.format(v), hidden: false, missing: false };
}

export function formatInteger(v: string | number | undefined): string {
  return v === undefined || v === "" ? "—" : integer.format(Number(v));
}

/** The count's value as a number, or undefined when hidden or absent (a gap in a chart). */
export function valueOf(c: Count | undefined): number | undefined {
  return c?.hidden || c?.value === undefined ? undefined : Number(c.value);
}

export const FORMS: Record<string, string> = {
  FORM_OF_VIOLENCE_PHYSICAL: "Physiques",
  FORM_OF_VIOLENCE_PSYCHOLOGICAL: "Psychologiques",
  FORM_OF_VIOLENCE_SEXUAL: "Sexuelles",
  FORM_OF_VIOLENCE_ECONOMIC: "Économiques",
  FORM_OF_VIOLENCE_ADMINISTRATIVE: "Administratives",
  FORM_OF_VIOLENCE_UNKNOWN: "Non précisée",
};

export const EPCI_TYPES: Record<string, string> = {
  CC: "Communauté de communes",
  CA: "Communauté d’agglomération",
  CU: "Communauté urbaine",
  METRO: "Métropole",
};

export const DOMAINS: Record<string, string> = {
  DOMAIN_SECURITY: "Sécurité",
  DOMAIN_JUSTICE: "Justice",
  DOMAIN_HEALTH: "Santé",
  DOMAIN_EDUCATION: "Éducation",
  DOMAIN_SOCIAL: "Social",
  DOMAIN_HOUSING: "Logement",
  DOMAIN_INSERTION: "Insertion",
  DOMAIN_RIGHTS: "Accès aux droits",
  DOMAIN_CHILD_PROTECTION: "Protection de l’enfance",
};

/** Lowercase, without accents, hyphens and apostrophes as spaces: how a name is searched. */
export function searchable(s: string): string {
  return s
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[-'’\s]+/g, " ")
    .trim();
}
