// What the finance pages share: the types of the funding API, the French labels of its enums,
// dates as the API takes them, the funders read once, and where an API error is shown.
import { api, call, Problem, type Schemas } from "../api";
import { session } from "../session.svelte";

export type Funder = Schemas["vif.funding.v1.Funder"];
export type Post = Schemas["vif.funding.v1.Post"];
export type FundingPlan = Schemas["vif.funding.v1.FundingPlan"];
export type Agreement = Schemas["vif.funding.v1.Agreement"];
export type Contribution = Schemas["vif.funding.v1.Contribution"];
export type YearSummary = Schemas["vif.funding.v1.YearSummary"];
export type FunderYearSummary = Schemas["vif.funding.v1.FunderYearSummary"];
export type ApiDate = Schemas["google.type.Date"];

export const KINDS: Record<string, string> = {
  FUNDER_KIND_STATE: "État",
  FUNDER_KIND_DEPARTEMENT: "Département",
  FUNDER_KIND_EPCI: "Intercommunalité (EPCI)",
  FUNDER_KIND_COMMUNE: "Commune",
  FUNDER_KIND_OTHER: "Autre financeur",
};

export const STATES: Record<string, string> = {
  AGREEMENT_STATE_DRAFT: "Projet (non signée)",
  AGREEMENT_STATE_SIGNED: "Signée",
  AGREEMENT_STATE_ACTIVE: "En vigueur",
  AGREEMENT_STATE_CLOSED: "Clôturée",
};

/** Who may write (posts, plans, agreements, calls, payments): admins and finance officers. */
export function canWrite(): boolean {
  const r = session.who?.role;
  return r === "finance" || r === "admin";
}

/** Who may read contributions and a funder's year: writers and a funder's own officers. */
export function canReadContributions(): boolean {
  return canWrite() || session.who?.role === "funder";
}

/** The value of an <input type="date"> ("2025-02-01") as the API's date, or undefined. */
export function apiDate(value: string): ApiDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

const dateFormat = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** An API date in French: 1 février 2025; a dash when absent. */
export function formatDate(d: ApiDate | undefined): string {
  if (!d?.year || !d.month || !d.day) return "—";
  return dateFormat.format(new Date(Date.UTC(d.year, d.month - 1, d.day)));
}

/** Today as the value of an <input type="date">, in the reader's time zone. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

let funders: Promise<Funder[]> | undefined;

/** Every funder, read once page by page (for their names and kinds). */
export function allFunders(): Promise<Funder[]> {
  funders ??= (async () => {
    const out: Funder[] = [];
    let pageToken: string | undefined;
    do {
      const r = await call(() => api.GET("/v1/funders", { params: { query: { pageSize: 1000, pageToken } } }));
      out.push(...(r.funders ?? []));
      pageToken = r.nextPageToken || undefined;
    } while (pageToken);
    return out;
  })();
  funders.catch(() => {
    funders = undefined;
  });
  return funders;
}

/** Whether a Problem is a stale etag: someone else changed the record since it was read. */
export function isStale(p: Problem | undefined): boolean {
  return p?.reason === "ETAG_MISMATCH" || p?.status === 412;
}

/**
 * The API's message for a form field, named as the API may name it: with the request's prefix
 * (funding_plan.annual_cost_cents) or without it (year).
 */
export function fieldError(p: Problem | undefined, prefix: string, field: string): string | undefined {
  return p?.field(`${prefix}.${field}`) ?? p?.field(field);
}

/**
 * The messages of a Problem that no field of the form shows: the general message when it names
 * no field, and the message of each field the form does not have.
 */
export function unplaced(p: Problem | undefined, prefix: string, fields: string[]): string[] {
  if (!p || isStale(p)) return [];
  if (p.fields.size === 0) return [p.message];
  const norm = (s: string) => s.replaceAll("_", "").toLowerCase();
  const known = new Set(fields.flatMap((f) => [norm(f), norm(`${prefix}.${f}`)]));
  return [...p.fields].filter(([k]) => !known.has(norm(k))).map(([k, v]) => `${k} : ${v}`);
}
