// What the fleet manager's and the admin's pages share: the API's types, the days of the
// calendar as the fleet service counts them (in France), the French labels of the enums, and the
// rules the forms check before sending (the same as the API's; the API's own errors still show
// under the field they name).
import type { Schemas } from "../api";
import { Problem } from "../api";

export type Vehicle = Schemas["vif.fleet.v1.Vehicle"];
export type Cession = Schemas["vif.fleet.v1.Cession"];
export type Official = Schemas["vif.fleet.v1.Official"];
export type KindCount = Schemas["vif.fleet.v1.KindCount"];
export type ApiDate = Schemas["google.type.Date"];
export type Organisation = Schemas["vif.directory.v1.Organisation"];

/** Today in France (YYYY-MM-DD): the day the fleet service calls today. */
export function today(now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** The API's date of a YYYY-MM-DD day, or undefined when it is not one. */
export function apiDate(day: string): ApiDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** The YYYY-MM-DD day of an API date, or "" when unset. */
export function dayOf(d: ApiDate | undefined): string {
  if (!d?.year || !d.month || !d.day) return "";
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

const long = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** A day in French: 3 mars 2024; a dash when unset. */
export function showDay(d: ApiDate | string | undefined): string {
  const s = typeof d === "string" ? d : dayOf(d);
  if (!s) return "—";
  return long.format(new Date(`${s}T00:00:00Z`));
}

/** Whether s is a real day of the calendar (2024-02-30 is not). */
export function realDay(s: string): boolean {
  const d = apiDate(s);
  if (!d) return false;
  const t = new Date(Date.UTC(d.year!, d.month! - 1, d.day!));
  return t.getUTCFullYear() === d.year && t.getUTCMonth() === d.month! - 1 && t.getUTCDate() === d.day;
}

export const VEHICLE_STATES: Record<string, string> = {
  VEHICLE_STATE_IN_SERVICE: "En service",
  VEHICLE_STATE_RETIRED: "Retiré du service",
  VEHICLE_STATE_RESERVED: "Réservé pour une cession",
  VEHICLE_STATE_CEDED: "Cédé",
  VEHICLE_STATE_SCRAPPED: "Détruit",
};

export const CESSION_STATES: Record<string, string> = {
  CESSION_STATE_PROPOSED: "Proposée",
  CESSION_STATE_APPROVED: "Approuvée",
  CESSION_STATE_HANDED_OVER: "Remise, à déclarer",
  CESSION_STATE_DECLARED: "Déclarée",
  CESSION_STATE_REJECTED: "Refusée",
  CESSION_STATE_CANCELLED: "Annulée",
};

/** The directory's kinds of organisation, in French (the enum's names). */
export const ORGANISATION_KINDS: Record<string, string> = {
  ORGANISATION_KIND_POLICE: "Police",
  ORGANISATION_KIND_GENDARMERIE: "Gendarmerie",
  ORGANISATION_KIND_ISCG: "Intervenants sociaux en commissariat et gendarmerie (ISCG)",
  ORGANISATION_KIND_PREFECTURE: "Préfecture",
  ORGANISATION_KIND_DEPARTEMENT: "Département",
  ORGANISATION_KIND_CAF: "Caf",
  ORGANISATION_KIND_COMMUNE: "Commune ou CCAS",
  ORGANISATION_KIND_EPCI: "Intercommunalité",
  ORGANISATION_KIND_JUSTICE: "Justice",
  ORGANISATION_KIND_HEALTH: "Santé",
  ORGANISATION_KIND_EDUCATION: "Éducation",
  ORGANISATION_KIND_ASSOCIATION: "Association",
  ORGANISATION_KIND_PLIE: "Plan local pour l’insertion et l’emploi (PLIE)",
  ORGANISATION_KIND_REGIE: "Régie de quartier ou de territoire",
  ORGANISATION_KIND_MISSION_LOCALE: "Mission locale ou mission mobilité",
  ORGANISATION_KIND_GARAGE_SOLIDAIRE: "Garage solidaire",
  ORGANISATION_KIND_CENTRE_SOCIAL: "Centre social",
  ORGANISATION_KIND_FOYER_RURAL: "Foyer rural",
  ORGANISATION_KIND_STATE_SERVICE: "Service de l’État",
  ORGANISATION_KIND_OTHER: "Autre",
};

/** The kinds that may receive a vehicle (the fleet service's rule), as the count names them (ISCG). */
export const BENEFICIARY_KINDS = ["ISCG", "PLIE", "REGIE", "MISSION_LOCALE", "GARAGE_SOLIDAIRE", "CENTRE_SOCIAL", "FOYER_RURAL", "ASSOCIATION"];

/** The French label of a short kind (ISCG) or a full one (ORGANISATION_KIND_ISCG). */
export function kindLabel(kind: string | undefined): string {
  if (!kind) return "—";
  return ORGANISATION_KINDS[kind.startsWith("ORGANISATION_KIND_") ? kind : `ORGANISATION_KIND_${kind}`] ?? kind;
}

/** The messages of a form, by field as the API names them (vehicle.plate, handover.odometer_km). */
export class Checks {
  readonly fields = new Map<string, string>();
  add(field: string, message: string) {
    if (!this.fields.has(field)) this.fields.set(field, message);
  }
  get ok() {
    return this.fields.size === 0;
  }
  /** A Problem with these messages, shown as the API's are. */
  problem(): Problem {
    return new Problem("Le formulaire contient des erreurs : corrigez les champs signalés.", 400, this.fields);
  }
  /** A required day, real, not before each of the days in notBefore, and not in the future unless
   * future (a proposal, an approval, a rejection or a cancellation may be dated ahead). */
  day(field: string, value: string, notBefore: [string, string][] = [], future = false) {
    if (!value) return this.add(field, "Indiquez une date.");
    if (!realDay(value)) return this.add(field, "Cette date n’existe pas.");
    const t = today();
    if (!future && value > t) return this.add(field, `Cette date est dans le futur (nous sommes le ${showDay(t)}).`);
    for (const [day, what] of notBefore) {
      if (day && value < day) return this.add(field, `Cette date est avant ${what} (${showDay(day)}).`);
    }
  }
  /** Required text of at most max characters. */
  text(field: string, value: string, max: number, required = true) {
    const v = value.trim();
    if (required && !v) return this.add(field, "Ce champ est obligatoire.");
    if (v.length > max) this.add(field, `Au plus ${max} caractères.`);
  }
}

/** Whether a Problem is a stale etag: someone changed the record since it was read. */
export function isStale(p: Problem | undefined): boolean {
  return p?.reason === "ETAG_MISMATCH" || p?.status === 412;
}

/** The message of a field: the form's own check, else the API's. */
export function fieldMessage(problem: Problem | undefined, ...names: string[]): string | undefined {
  for (const n of names) {
    const m = problem?.field(n);
    if (m) return m;
  }
  return undefined;
}

export const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
export const PLATE = /^([A-HJ-NP-TV-Z]{2}-[0-9]{3}-[A-HJ-NP-TV-Z]{2}|[0-9]{1,4} [A-Z]{1,3} (0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6]))$/;
export const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A SIRET as the directory checks it (platform/frid): 14 digits whose Luhn key is valid, or for
 * La Poste's establishments (SIREN 356000000) whose digits sum to a multiple of 5. */
export function validSiret(s: string): boolean {
  if (!/^[0-9]{14}$/.test(s)) return false;
  if (s.startsWith("356000000")) return [...s].reduce((a, c) => a + Number(c), 0) % 5 === 0;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = Number(s[13 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The id of a resource name: vehicles/caf71-01 → caf71-01. */
export function idOf(name: string | undefined): string {
  return name?.slice(name.indexOf("/") + 1) ?? "";
}

/** What the fleet and directory services' reasons mean for the reader, in French. */
const REASONS: Record<string, string> = {
  WRONG_STATE: "Cette étape n’est plus possible : l’enregistrement a changé d’état. Rechargez la page.",
  VEHICLE_HAS_OPEN_CESSION: "Ce véhicule fait déjà l’objet d’une cession en cours.",
  ORGANISATION_DELETED: "Cette organisation est archivée : elle ne peut pas être citée ni modifiée.",
  ORGANISATION_NOT_DELETED: "Cette organisation n’est pas archivée.",
  HAS_MEMBERS: "Des membres des réseaux appartiennent encore à cette organisation : retirez-les des réseaux avant de l’archiver.",
  ALREADY_EXISTS: "Cet identifiant est déjà pris : choisissez-en un autre, ou laissez-le vide.",
};

/**
 * The Problem as the page shows it: a reason of the API in French, and the reasons that concern
 * one field (a plate in use, an identifier taken) under that field.
 */
export function explain(p: Problem, idField?: string): Problem {
  const r = p.reason ?? "";
  if (r === "PLATE_IN_USE") return new Problem(p.message, p.status, new Map([["vehicle.plate", "Un autre véhicule de la Caf porte déjà cette immatriculation."]]), r);
  if (r === "ALREADY_EXISTS" && idField) return new Problem(p.message, p.status, new Map([[idField, REASONS.ALREADY_EXISTS!]]), r);
  if (p.fields.size === 0 && REASONS[r]) return new Problem(REASONS[r]!, p.status, p.fields, r);
  return p;
}
