// The console's one API client (the typed client of src/api), on this origin. It sends the
// signed-in professional's access token (session.svelte.ts); signed out, none.
import { apiClient, fieldErrors, type ApiError, type components } from "../api/client";
import { session } from "./session.svelte";
import { frenchFields, REASONS, STALE } from "./messages";

export type Schemas = components["schemas"];
export type Network = Schemas["vif.directory.v1.Network"];
export type Commune = Schemas["vif.directory.v1.Commune"];
export type Epci = Schemas["vif.directory.v1.Epci"];
export type Member = Schemas["vif.directory.v1.Member"];
export type Series = Schemas["vif.statistics.v1.Series"];
export type PeriodFigures = Schemas["vif.statistics.v1.PeriodFigures"];
export type Count = Schemas["vif.statistics.v1.Count"];
export type Ratio = Schemas["vif.statistics.v1.Ratio"];
export type NationalComparison = Schemas["vif.statistics.v1.NationalComparison"];

export const api = apiClient("", () => session.token());
export type Organisation = Schemas["vif.directory.v1.Organisation"];

/** What the console shows of a failed call: a message, and the messages by field. */
export class Problem {
  constructor(
    readonly message: string,
    readonly status: number,
    readonly fields: Map<string, string> = new Map(),
    readonly reason?: string,
  ) {}

  /** The message for a field, named as the API names it (end_period or endPeriod). */
  field(name: string): string | undefined {
    const want = name.replaceAll("_", "").toLowerCase();
    for (const [k, v] of this.fields) {
      if (k.replaceAll("_", "").toLowerCase() === want) return v;
    }
    return undefined;
  }

  /** Whether the record changed since it was read (ETAG_MISMATCH): the page offers to reload it. */
  get stale(): boolean {
    return this.reason === "ETAG_MISMATCH";
  }
}

function problemOf(status: number, err: ApiError | undefined): Problem {
  const fields = frenchFields(fieldErrors(err));
  const reason = err?.error.details?.find((d) => "reason" in d);
  const r = reason && "reason" in reason ? reason.reason : undefined;
  if (r === "ETAG_MISMATCH") return new Problem(STALE, status, new Map(), r);
  if (r && REASONS[r]) return new Problem(REASONS[r], status, fields, r);
  if (status === 401) return new Problem("Cette information est réservée aux professionnels connectés.", status, fields, r);
  if (status === 403) return new Problem("Votre compte ne permet pas de voir cette information.", status, fields, r);
  if (status === 404) return new Problem("Cette ressource n’existe pas.", status, fields, r);
  if (status === 503 || status === 504) return new Problem("Le service est momentanément indisponible. Réessayez dans un instant.", status, fields, r);
  if (status >= 500) return new Problem("Une erreur inattendue est survenue. Réessayez plus tard.", status, fields, r);
  if (status === 400 && fields.size > 0) return new Problem("Certaines valeurs ne sont pas acceptées : voyez le message sous chaque champ concerné.", status, fields, r);
  return new Problem(err?.error.message ?? `Erreur ${status}`, status, fields, r);
}

/**
 * The data of a call, or a Problem: runs a call of the typed client and turns its error (an API
 * error body, or no answer at all) into what the page shows.
 */
export async function call<T>(
  run: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let res: { data?: T; error?: unknown; response: Response };
  try {
    res = await run();
  } catch {
    throw new Problem("Le service ne répond pas. Vérifiez votre connexion et réessayez.", 0);
  }
  if (res.error !== undefined || !res.response.ok) {
    throw problemOf(res.response.status, res.error as ApiError | undefined);
  }
  return res.data as T;
}

/** A Problem for anything thrown. */
export function asProblem(e: unknown): Problem {
  return e instanceof Problem ? e : new Problem("Une erreur inattendue est survenue.", 0);
}

let communes: Promise<Commune[]> | undefined;

/**
 * Every commune of the référentiel (563 for Saône-et-Loire), read once page by page: the API
 * filters communes by postal code, network and EPCI, not by name, so a search by name runs here.
 */
export function allCommunes(): Promise<Commune[]> {
  communes ??= (async () => {
    const out: Commune[] = [];
    let pageToken: string | undefined;
    do {
      const page = await call(() =>
        api.GET("/v1/communes", { params: { query: { pageSize: 1000, pageToken } } }),
      );
      out.push(...(page.communes ?? []));
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
    return out;
  })();
  communes.catch(() => {
    communes = undefined; // a failed read is retried by the next search
  });
  return communes;
}

/** The id of a resource name: networks/chalonnais → chalonnais. */
export function idOf(name: string | undefined): string {
  return name?.slice(name.indexOf("/") + 1) ?? "";
}
