// The checks of an organisation's fields, as the directory makes them (the commune's presence in
// the référentiel is the API's to say).
import { Checks, validSiret } from "./model";

export type OrganisationForm = { displayName: string; kind: string; siret: string; commune: string; address: string };

export function checkOrganisation(f: OrganisationForm): Checks {
  const c = new Checks();
  c.text("organisation.display_name", f.displayName, 200);
  if (!f.kind) c.add("organisation.kind", "Choisissez le type d’organisation.");
  const siret = f.siret.replaceAll(" ", "");
  if (siret && !validSiret(siret)) c.add("organisation.siret", "Ce n’est pas un SIRET : 14 chiffres dont la clé de contrôle est juste.");
  if (f.commune && !/^(2[AB]|[0-9]{2})[0-9]{3}$/.test(f.commune.trim())) c.add("organisation.commune", "Un code INSEE de 5 caractères, par exemple 71270.");
  c.text("organisation.address", f.address, 500, false);
  return c;
}

/** The organisation the API takes from the form. */
export function organisationOf(f: OrganisationForm) {
  return {
    displayName: f.displayName.trim(),
    kind: f.kind as "ORGANISATION_KIND_OTHER",
    siret: f.siret.replaceAll(" ", ""),
    commune: f.commune.trim() ? `communes/${f.commune.trim()}` : "",
    address: f.address.trim(),
  };
}
