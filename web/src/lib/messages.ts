// The API's field messages in French. The API answers in English for developers: protovalidate's
// text for a rule written in a proto (« value must be greater than or equal to 0 »), and the
// services' own text for a business rule (« its buckets count 12 victims, more than the 10
// victims_supported »). The error body names the field but not the rule, so a message is
// recognised here by its field and its words, in one place for every page: api.ts turns each
// field violation through frenchMessage, and a page shows what Problem.field gives.
//
// A message this table does not know reads « Cette valeur n’est pas acceptée. » followed by the
// API's own words, so that nothing the API says is lost.

/** A field as this table matches it: no underscores, lower case, no list index (by_form[2] → byform). */
function key(field: string): string {
  return field.replace(/\[\d+\]/g, "").replaceAll("_", "").toLowerCase();
}

const integer = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
const n = (s: string | undefined) => integer.format(Number(s ?? ""));

type Rule = {
  /** The field's key ends with this (after key()); any field when absent. */
  field?: RegExp;
  /** The API's message. */
  text: RegExp;
  french: (m: RegExpMatchArray) => string;
};

// Field-specific rules come first: a pattern's message (« does not match regex pattern … ») says
// nothing a reader can use, the field does.
const RULES: Rule[] = [
  // Members (directory).
  { field: /phone$/, text: /pattern/, french: () => "Le numéro de téléphone ne peut contenir que des chiffres, des espaces ou des points, avec un + en tête s’il le faut (6 à 20 caractères)." },
  { field: /email$/, text: /email|pattern/, french: () => "L’adresse électronique n’est pas valide (par exemple : prenom.nom@exemple.fr)." },
  { field: /organisation$/, text: /does not exist/, french: () => "Cette organisation n’existe pas, ou plus." },
  { field: /organisation$/, text: /required|pattern/, french: () => "Choisissez une organisation." },
  { field: /displayname$/, text: /required/, french: () => "Le nom est obligatoire." },
  { field: /domains$/, text: /at least one|required/, french: () => "Choisissez au moins un domaine de compétence." },
  { field: /domains$/, text: /repeat|unique/, french: () => "Un domaine de compétence ne peut être choisi qu’une fois." },
  { field: /domains$/, text: /unknown|defined|not be in list/, french: () => "Ce domaine de compétence n’existe pas." },
  { field: /etag$/, text: /./, french: () => "Quelqu’un d’autre a modifié cette fiche entre-temps : rechargez-la." },

  // Reports and series (statistics).
  { field: /(period|year)$/, text: /has not begun/, french: () => "Cette période n’a pas encore commencé : un rapport compte ce qui a eu lieu." },
  { field: /(period|year)$/, text: /"?(\d+)"? is before (\d+)/, french: (m) => `L’année ${m[1]} est antérieure à ${m[2]}, la première année suivie.` },
  { field: /(period|year)$/, text: /ends \((.+)\) before it starts \((.+)\)/, french: (m) => `La fin (${m[1]}) précède le début (${m[2]}).` },
  { field: /(period|year)$/, text: /(\d+) is before start_?year (\d+)/i, french: (m) => `L’année de fin (${m[1]}) précède l’année de début (${m[2]}).` },
  { field: /(period|year)$/, text: /more than (\d+) years after/, french: (m) => `La période ne peut dépasser ${m[1]} ans.` },
  { field: /(period|year)$/, text: /at the granularity or coarser/, french: () => "La période doit être au moins aussi longue que le pas choisi." },
  { field: /period$/, text: /not a period|pattern/, french: () => "Un mois s’écrit AAAA-MM (par exemple 2026-03), une année AAAA." },
  { field: /(^|\.)parent$/, text: /does not exist/, french: () => "Ce réseau n’existe pas dans l’annuaire." },
  { field: /(byform|bysex|byageband|byreferral)$/, text: /buckets count (\d+) victims, more than the (\d+)/, french: (m) => `Cette répartition compte ${n(m[1])} victimes, plus que les ${n(m[2])} victimes accompagnées.` },
  { field: /(byform|bysex|byageband|byreferral)$/, text: /listed twice|unique/, french: () => "Une catégorie ne peut figurer qu’une fois." },
  { field: /(byform|bysex|byageband|byreferral)$/, text: /unknown bucket|defined|not be in list/, french: () => "Cette catégorie n’existe pas." },
  { field: /requestid$/, text: /./, french: () => "Cette demande a déjà été envoyée avec d’autres valeurs : renvoyez le formulaire." },

  // Any field: protovalidate's rules, then the services' common words.
  { text: /must be between (\d+) and (\d+)/, french: (m) => `Saisissez un nombre entier de ${n(m[1])} à ${n(m[2])}.` },
  { text: /greater than or equal to (-?\d+) and less than or equal to (-?\d+)/, french: (m) => `Saisissez un nombre entier de ${n(m[1])} à ${n(m[2])}.` },
  { text: /greater than or equal to (-?\d+)/, french: (m) => `Saisissez un nombre supérieur ou égal à ${n(m[1])}.` },
  { text: /less than or equal to (-?\d+)/, french: (m) => `Saisissez un nombre inférieur ou égal à ${n(m[1])}.` },
  { text: /greater than (-?\d+)/, french: (m) => `Saisissez un nombre supérieur à ${n(m[1])}.` },
  { text: /less than (-?\d+)/, french: (m) => `Saisissez un nombre inférieur à ${n(m[1])}.` },
  { text: /(length|bytes).*at most (\d+)/, french: (m) => `${n(m[2])} caractères au plus.` },
  { text: /(length|bytes).*at least (\d+)/, french: (m) => `${n(m[2])} caractères au moins.` },
  { text: /no more than (\d+) item/, french: (m) => `${n(m[1])} éléments au plus.` },
  { text: /unique items|listed twice|must not repeat/, french: () => "Un même choix ne peut figurer qu’une fois." },
  { text: /valid email/, french: () => "L’adresse électronique n’est pas valide (par exemple : prenom.nom@exemple.fr)." },
  { text: /valid UUID/i, french: () => "L’identifiant de la demande n’est pas valide." },
  { text: /defined enum|not be in list/, french: () => "Choisissez une des valeurs proposées." },
  { text: /is required|value is required|required/, french: () => "Ce champ est obligatoire." },
  { text: /does not exist/, french: () => "Cet élément n’existe pas." },
  { text: /not a token this method gave/, french: () => "Cette page de résultats n’existe plus : revenez à la première page." },
];

/** The French for the API's message description about field. */
export function frenchMessage(field: string, description: string): string {
  const k = key(field);
  for (const r of RULES) {
    if (r.field && !r.field.test(k)) continue;
    const m = description.match(r.text);
    if (m) return r.french(m);
  }
  return `Cette valeur n’est pas acceptée (${description}).`;
}

/** The field violations of an error with their messages in French. */
export function frenchFields(fields: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [f, d] of fields) out.set(f, frenchMessage(f, d));
  return out;
}

/** What the console says of a stale etag (ETAG_MISMATCH: HTTP 412 with If-Match, 409 in the body). */
export const STALE =
  "Quelqu’un d’autre a modifié cette fiche pendant que vous la modifiiez : rechargez-la pour voir ses valeurs actuelles, puis refaites votre modification.";

/** What the console says of a refusal the API names by its ErrorInfo reason, not by a field. */
export const REASONS: Record<string, string> = {
  NOTHING_TO_PUBLISH:
    "Rien n’a changé depuis la dernière publication de cette année : il n’y a rien de nouveau à publier.",
  UNPUBLISHABLE:
    "Ces chiffres ne peuvent pas être publiés sans risquer de dévoiler de petits effectifs, compte tenu des publications précédentes : rien n’a été publié. Attendez les rapports suivants, ou vérifiez les dernières corrections.",
};
