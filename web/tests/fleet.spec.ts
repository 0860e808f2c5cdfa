// The Caf's fleet manager in the console (flotte@demo.vif.test): registers vehicles (and first sees
// the form's own checks and the API's refusal under the field they name), records the odometer,
// retires a vehicle, and takes a cession from its proposal to its declaration; rejects and cancels
// others; sees a stale etag offer to reload; sees the overdue declarations and the count by kind
// of beneficiary. Each test uses vehicles it registers itself. Axe on every state.
import { expect, test, type Page } from "@playwright/test";
import { axe, screenshot, url, watch } from "./helpers";
import { apiAs, day, fresh, plate, signInAt, vin, visit } from "./fleetadm";

// Each journey runs through many states, each checked by axe: more than the default minute on a
// loaded two-core machine.
test.describe.configure({ timeout: 180_000 });

const FLEET = "flotte@demo.vif.test";
const BENEFICIARY = "organisations/mission-locale-charolais";

/** Registers a vehicle through the form and waits for its page. */
async function register(page: Page, o: { id: string; plate: string; retired?: boolean; first?: string; km?: string; readOn?: string; retiredOn?: string }) {
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Véhicules" }).click();
  await page.waitForURL(url("/vehicules"));
  const form = page.locator("form");
  await form.locator("#vin").fill(vin());
  await form.locator("#immatriculation").fill(o.plate);
  await form.locator("#marque").fill("Renault");
  await form.locator("#modele").fill("Kangoo");
  await form.locator("#premiere-immatriculation").fill(o.first ?? "2019-03-01");
  if (o.retired) {
    await form.locator("label", { hasText: "Déjà retiré du service" }).click();
    if (o.retiredOn) await form.locator("#date-retrait").fill(o.retiredOn);
  }
  if (o.km) {
    await form.locator("#releve-km").fill(o.km);
    await form.locator("#releve-date").fill(o.readOn ?? day(-30));
  }
  await form.locator("#identifiant").fill(o.id);
  await form.getByRole("button", { name: "Enregistrer le véhicule" }).click();
  await page.waitForURL(url(`/vehicules/${o.id}`));
  await expect(page.getByRole("heading", { level: 1, name: `Véhicule ${o.plate}` })).toBeVisible();
}

/** Proposes the vehicle on its page and waits for the cession's page. */
async function propose(page: Page, id: string, on = day()) {
  await page.locator("#beneficiaire").selectOption(BENEFICIARY);
  await page.locator("#date-proposition").fill(on);
  await page.locator("#identifiant-cession").fill(id);
  await page.getByRole("button", { name: "Proposer la cession" }).click();
  await page.waitForURL(url(`/cessions/${id}`));
  await expect(page.getByText("Proposée", { exact: true })).toBeVisible();
}

test("the fleet manager registers a vehicle, records its odometer and retires it", async ({ page }) => {
  const seen = await watch(page);
  await page.goto(url("/vehicules"));
  await expect(page.getByText("réservée aux gestionnaires de la flotte")).toBeVisible();
  await axe(page, "/vehicules signed out");

  await signInAt(page, "/vehicules", FLEET);
  const nav = page.getByRole("navigation", { name: "Menu principal" });
  await expect(nav.getByRole("link", { name: "Véhicules" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Cessions" })).toBeVisible();
  // The seed's ceded vehicles are listed, paged by 20.
  await expect(page.getByRole("table", { name: "Véhicules de la Caf" })).toBeVisible();
  await expect(page.getByText("Page 1 sur")).toBeVisible();
  await axe(page, "/vehicules signed in");
  await screenshot(page, "flotte-00-vehicules");

  // The form's own checks, as the API's: nothing is sent.
  const posts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes("/v1/vehicles")) posts.push(r.url());
  });
  const form = page.locator("form");
  await form.locator("#vin").fill("VF1-TROP-COURT");
  await form.locator("#immatriculation").fill("AB-123-CD");
  await form.locator("#premiere-immatriculation").fill(day(3));
  await form.getByRole("button", { name: "Enregistrer le véhicule" }).click();
  await expect(page.locator("#vin-erreur")).toContainText("17 caractères");
  await expect(page.locator("#marque-erreur")).toContainText("obligatoire");
  await expect(page.locator("#premiere-immatriculation-erreur")).toContainText("dans le futur");
  await expect(form.locator("#vin")).toHaveAttribute("aria-describedby", "vin-erreur");
  expect(posts).toEqual([]);
  await axe(page, "/vehicules with the form's errors");
  await screenshot(page, "flotte-01-vehicules-erreurs");

  // A first vehicle, then a second with the same plate: the API refuses it, under the plate.
  const id = `t-${fresh()}`;
  const p = plate();
  await register(page, { id, plate: p, km: "45000", readOn: day(-20) });
  await expect(page.getByText("En service")).toBeVisible();
  await visit(page, "/vehicules");
  await form.locator("#vin").fill(vin());
  await form.locator("#immatriculation").fill(p);
  await form.locator("#marque").fill("Peugeot");
  await form.locator("#modele").fill("208");
  await form.locator("#premiere-immatriculation").fill("2020-05-04");
  await form.getByRole("button", { name: "Enregistrer le véhicule" }).click();
  await expect(page.locator("#immatriculation-erreur")).toContainText("porte déjà cette immatriculation");
  expect(posts.length).toBe(2);
  await axe(page, "/vehicules with the API's error");

  // Its page: a reading lower than the last is refused before sending; a good one is recorded.
  await visit(page, `/vehicules/${id}`);
  const readings = page.getByRole("table", { name: "Relevés du compteur" });
  await expect(readings).toContainText("45 000 km");
  await page.locator("#releve-km").fill("44000");
  await page.getByRole("button", { name: "Enregistrer le relevé" }).click();
  await expect(page.locator("#releve-km-erreur")).toContainText("ne recule pas");
  await axe(page, "/vehicules/{id} with a reading error");
  await page.locator("#releve-km").fill("52000");
  await page.getByRole("button", { name: "Enregistrer le relevé" }).click();
  await expect(page.getByText("Le relevé est enregistré.")).toBeVisible();
  await expect(readings).toContainText("52 000 km");
  await expect(page.locator("#releve-km-erreur")).toHaveCount(0);
  await screenshot(page, "flotte-02-vehicule");

  // Retired: a retirement tomorrow is refused; today, the vehicle may be offered.
  await page.locator("#date-retrait").fill(day(1));
  await page.getByRole("button", { name: "Retirer du service" }).click();
  await expect(page.locator("#date-retrait-erreur")).toContainText("dans le futur");
  await page.locator("#date-retrait").fill(day());
  await page.getByRole("button", { name: "Retirer du service" }).click();
  await expect(page.getByText("Le véhicule est retiré du service")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Proposer une cession" })).toBeVisible();
  await axe(page, "/vehicules/{id} retired");

  expect(seen.violations).toEqual([]);
  // The plate in use is refused with 409: the answer the form shows under the plate.
  expect(seen.errors.filter((e) => !/status of 409 \(Conflict\)/.test(e))).toEqual([]);
});

test("the fleet manager takes a cession from its proposal to its declaration", async ({ page }) => {
  const seen = await watch(page);
  await signInAt(page, "/vehicules", FLEET);
  const id = `t-${fresh()}`;
  await register(page, { id, plate: plate(), retired: true, retiredOn: day(-10), km: "61000", readOn: day(-12) });

  // A proposal before the retirement is refused; then proposed.
  await page.locator("#beneficiaire").selectOption(BENEFICIARY);
  await page.locator("#date-proposition").fill(day(-11));
  await page.getByRole("button", { name: "Proposer la cession" }).click();
  await expect(page.locator("#date-proposition-erreur")).toContainText("avant le retrait");
  await axe(page, "/vehicules/{id} with a proposal error");
  const cession = `c-${id}`;
  await propose(page, cession, day(-8));
  await expect(page.getByText("Mission locale ou mission mobilité")).toBeVisible();
  await axe(page, "/cessions/{id} proposed");
  await screenshot(page, "flotte-03-cession-proposee");

  await page.locator("#date-approbation").fill(day(-6));
  await page.getByRole("button", { name: "Approuver la cession" }).click();
  await expect(page.getByText("La cession est approuvée")).toBeVisible();
  await expect(page.getByText("Approuvée", { exact: true })).toBeVisible();
  await axe(page, "/cessions/{id} approved");

  // The handover: the officials present, the odometer, the cerfa 15776 reference.
  await page.locator("#date-remise").fill(day(-2));
  await page.locator("#lieu").fill("Préfecture de Saône-et-Loire, Mâcon");
  await page.locator("#officiel-0-nom").fill("Louise Thin-Rouzaud");
  await page.locator("#officiel-0-qualite").fill("directrice de cabinet du Préfet");
  await page.getByRole("button", { name: "Ajouter une personne" }).click();
  await page.locator("#officiel-1-nom").fill("Cécile Aladame");
  await page.locator("#compteur").fill("60000");
  await page.getByRole("button", { name: "Enregistrer la remise" }).click();
  await expect(page.locator("#officiel-1-nom-erreur")).toContainText("nom et la qualité");
  await expect(page.locator("#compteur-erreur")).toContainText("ne recule pas");
  await expect(page.locator("#cerfa-erreur")).toContainText("obligatoire");
  await axe(page, "/cessions/{id} with handover errors");
  await screenshot(page, "flotte-04-remise-erreurs");
  await page.locator("#officiel-1-qualite").fill("directrice de la Caf de Saône-et-Loire");
  await page.locator("#compteur").fill("61250");
  await page.locator("#cerfa").fill("15776*03 n° 2026-071-0042");
  await page.getByRole("button", { name: "Enregistrer la remise" }).click();
  await expect(page.getByText("La remise est enregistrée")).toBeVisible();
  await expect(page.getByText("Remise, à déclarer", { exact: true })).toBeVisible();
  await expect(page.getByText("Cécile Aladame, directrice de la Caf de Saône-et-Loire")).toBeVisible();
  await expect(page.getByText("15776*03 n° 2026-071-0042")).toBeVisible();
  await axe(page, "/cessions/{id} handed over");
  await screenshot(page, "flotte-05-cession-remise");

  // The declaration: not before the handover; then declared.
  await page.locator("#date-declaration").fill(day(-3));
  await page.getByRole("button", { name: "Déclarer la cession" }).click();
  await expect(page.locator("#date-declaration-erreur")).toContainText("avant la remise");
  await page.locator("#date-declaration").fill(day());
  await page.getByRole("button", { name: "Déclarer la cession" }).click();
  await expect(page.getByText("La cession est déclarée.")).toBeVisible();
  await expect(page.getByText("Déclarée", { exact: true })).toBeVisible();
  await axe(page, "/cessions/{id} declared");

  // The vehicle is ceded, its odometer the handover's.
  await page.getByRole("link", { name: /Renault Kangoo/ }).click();
  await expect(page.getByText("Cédé", { exact: true })).toBeVisible();
  await expect(page.getByRole("table", { name: "Relevés du compteur" })).toContainText("61 250 km");

  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("the fleet manager rejects and cancels proposals, and a stale etag offers to reload", async ({ page }) => {
  const seen = await watch(page);
  await signInAt(page, "/vehicules", FLEET);
  const id = `t-${fresh()}`;
  await register(page, { id, plate: plate(), retired: true });

  // Rejected: a reason is required; the vehicle is retired again.
  await propose(page, `r-${id}`);
  await page.getByRole("button", { name: "Refuser la cession" }).click();
  await expect(page.locator("#motif-refus-erreur")).toContainText("obligatoire");
  await page.locator("#motif-refus").fill("Le partenaire a déjà un véhicule");
  await page.getByRole("button", { name: "Refuser la cession" }).click();
  await expect(page.getByText("La cession est refusée")).toBeVisible();
  await expect(page.getByText("Le partenaire a déjà un véhicule")).toBeVisible();
  await axe(page, "/cessions/{id} rejected");

  // Proposed again, then changed behind the page's back: the approval is refused as stale.
  await visit(page, `/vehicules/${id}`);
  const cession = `a-${id}`;
  await propose(page, cession);
  await apiAs("fleet", "POST", `/v1/cessions/${cession}:approve`, { approveDate: { year: Number(day().slice(0, 4)), month: Number(day().slice(5, 7)), day: Number(day().slice(8)) } });
  await page.getByRole("button", { name: "Approuver la cession" }).click();
  await expect(page.getByRole("heading", { name: "Quelqu’un d’autre a modifié cet enregistrement" })).toBeVisible();
  await axe(page, "/cessions/{id} stale");
  await screenshot(page, "flotte-06-cession-perimee");
  await page.getByRole("button", { name: "Recharger" }).click();
  await expect(page.getByText("Approuvée", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Remise des clés" })).toBeVisible();

  // Cancelled before the handover.
  await page.locator("#motif-annulation").fill("Le véhicule ne passe pas le contrôle technique");
  await page.getByRole("button", { name: "Annuler la cession" }).click();
  await expect(page.getByText("La cession est annulée")).toBeVisible();
  await expect(page.getByText("Annulée", { exact: true })).toBeVisible();
  await axe(page, "/cessions/{id} cancelled");

  expect(seen.violations).toEqual([]);
  // The stale approval's 409 is the answer the page turns into its warning.
  expect(seen.errors.filter((e) => !/status of 409 \(Conflict\)/.test(e))).toEqual([]);
});

test("the fleet manager sees the overdue declarations and the count by kind of beneficiary", async ({ page }) => {
  const seen = await watch(page);
  await signInAt(page, "/vehicules", FLEET);
  // Handed over 40 days ago and never declared: past its 15 days.
  const id = `t-${fresh()}`;
  await register(page, { id, plate: plate(), retired: true, retiredOn: day(-60), km: "80000", readOn: day(-61) });
  const cession = `o-${id}`;
  await propose(page, cession, day(-50));
  await page.locator("#date-approbation").fill(day(-45));
  await page.getByRole("button", { name: "Approuver la cession" }).click();
  await expect(page.getByText("La cession est approuvée")).toBeVisible();
  await page.locator("#date-remise").fill(day(-40));
  await page.locator("#lieu").fill("Caf de Saône-et-Loire, Mâcon");
  await page.getByRole("button", { name: "Retirer la personne 1" }).click();
  await page.locator("#compteur").fill("80500");
  await page.locator("#cerfa").fill("15776*03 n° 2026-071-0007");
  await page.getByRole("button", { name: "Enregistrer la remise" }).click();
  await expect(page.getByText("Le délai de déclaration est dépassé")).toBeVisible();
  await axe(page, "/cessions/{id} overdue");

  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Cessions" }).click();
  const overdue = page.getByRole("table", { name: "Déclarations en retard" });
  await expect(overdue.getByRole("row", { name: new RegExp(cession) })).toContainText(day(-25).slice(0, 4));
  await expect(page.getByRole("table", { name: "Cessions" })).toBeVisible();

  // The count over the last 60 days: this handover, to a mission locale.
  await page.locator("#debut").fill(day(-60));
  await page.locator("#fin").fill(day(-61));
  await page.getByRole("button", { name: "Compter" }).click();
  await expect(page.locator("#fin-erreur")).toContainText("avant le début");
  await page.locator("#fin").fill(day(-30));
  await page.getByRole("button", { name: "Compter" }).click();
  const counts = page.getByRole("table", { name: "Véhicules remis par type de bénéficiaire" });
  await expect(counts.getByRole("row", { name: /Mission locale/ })).toBeVisible();
  await axe(page, "/cessions");
  await screenshot(page, "flotte-07-cessions");

  // Filtered by state: the overdue one is among those to declare.
  await page.locator("#filtre-etat").selectOption("CESSION_STATE_HANDED_OVER");
  await expect(page.getByRole("table", { name: "Cessions" }).getByRole("row", { name: new RegExp(cession) })).toBeVisible();

  // At a phone's width the page does not scroll sideways: the tables scroll in their own frame.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("button", { name: "Menu" })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  await axe(page, "/cessions at a phone's width");
  await screenshot(page, "flotte-08-cessions-telephone");
  await visit(page, `/cessions/${cession}`);
  await expect(page.getByRole("heading", { name: "Déclarer la cession" })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  await axe(page, "/cessions/{id} at a phone's width");

  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});
