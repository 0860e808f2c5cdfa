// The coordinator's journey beyond adding members: a member edited with its etag (a change made
// elsewhere in between is refused, and the page offers to reload the record) and removed after a
// confirmation; the monthly report checked as the API checks it, sent, corrected (a revision), its
// revisions listed; the network's raw figures; a session that expires in the middle of a form and
// gives back what was typed after the new sign-in. The API's field messages are in French. Axe on
// every state. Each test makes its own records and removes the members it made.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { frenchMessage } from "../src/lib/messages";
import { axe, screenshot, url, watch } from "./helpers";
import { apiAs } from "./fleetadm";

const EMAIL = "coordination.louhannais@demo.vif.test";
const NETWORK = "louhannais";
const PREFIX = "Coordination essai";

function demoPassword(email: string): string {
  const dir = process.env.VIF_DATA_DIR;
  if (!dir) throw new Error("VIF_DATA_DIR is not set: run through playwright.config.ts");
  const line = readFileSync(join(dir, "demo-passwords.txt"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(email + "\t"));
  if (!line) throw new Error(`no demo password for ${email}`);
  return line.split("\t")[1] ?? "";
}

let token = "";
function coordinatorToken(): string {
  token ||= execFileSync(
    "go", ["run", "./cmd/vif", "token", "--role", "coordinator", "--network", NETWORK, "--data-dir", process.env.VIF_DATA_DIR ?? ""],
    { cwd: join(process.cwd(), ".."), encoding: "utf8" },
  ).trim();
  return token;
}

async function apiCall(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url(path), {
    method,
    headers: { Authorization: `Bearer ${coordinatorToken()}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json().catch(() => ({})) };
}

/** A month that has begun, months before this one: 2026-11 for 1 in December 2026. */
function monthsAgo(n: number): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - n);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

async function signIn(page: Page) {
  await page.getByRole("banner").getByRole("button", { name: "Se connecter" }).click();
  await login(page);
}

async function login(page: Page) {
  await page.waitForURL((u) => u.href.startsWith(process.env.VIF_AUTH_URL ?? "-"));
  await page.getByLabel("Adresse électronique").fill(EMAIL);
  await page.getByLabel("Mot de passe").fill(demoPassword(EMAIL));
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
}

// Axe on every state of long forms: on a loaded machine each run takes seconds.
test.describe.configure({ timeout: 180_000 });

/**
 * Presses a button from the keyboard. Under the fake clock, animation frames stop, and a click's
 * checks (even forced, its scrolling) may not settle; the keyboard needs none of them.
 */
async function activate(button: Locator) {
  await expect(button).toBeVisible();
  await button.focus();
  await button.page().keyboard.press("Enter");
}

// The members these tests made are removed, whatever happened, so that other spec files see the
// network as they left it.
test.afterAll(async () => {
  const r = await apiCall("GET", `/v1/networks/${NETWORK}/members?pageSize=1000`);
  for (const m of r.json.members ?? []) {
    if (String(m.displayName).startsWith(PREFIX)) await apiCall("DELETE", `/v1/${m.name}`);
  }
});

test("a coordinator edits a member with its etag, reloads it after someone else's change, and removes it", async ({ page }) => {
  const seen = await watch(page);
  const orgs = await apiCall("GET", "/v1/organisations?pageSize=2");
  const made = await apiCall("POST", `/v1/networks/${NETWORK}/members`, {
    organisation: orgs.json.organisations[0].name,
    displayName: `${PREFIX} Martin`,
    role: "Juriste",
    domains: ["DOMAIN_RIGHTS"],
  });
  expect(made.status, JSON.stringify(made.json)).toBe(200);
  const name: string = made.json.name;

  await page.goto(url("/membres"));
  await signIn(page);
  await expect(page.getByText("avant de vous reconnecter")).toHaveCount(0);
  const table = page.getByRole("table", { name: "Membres du réseau" });
  const row = table.getByRole("row", { name: new RegExp(`${PREFIX} Martin`) });
  await expect(row).toBeVisible();

  // A bad telephone number: the API's message, in French, under the field.
  await row.getByRole("button", { name: `Modifier ${PREFIX} Martin` }).click();
  const edit = page.getByRole("form", { name: `Modifier la fiche de ${PREFIX} Martin` });
  await expect(edit.getByLabel("Nom", { exact: true })).toHaveValue(`${PREFIX} Martin`);
  await expect(page.getByRole("heading", { name: `Modifier la fiche de ${PREFIX} Martin` })).toBeFocused();
  await edit.getByLabel("Téléphone").fill("pas un numéro");
  await edit.getByRole("button", { name: "Enregistrer la fiche" }).click();
  await expect(page.locator("#modif-telephone-erreur")).toHaveText(/^Le numéro de téléphone ne peut contenir que des chiffres/);
  await expect(edit.getByLabel("Téléphone")).toHaveAttribute("aria-describedby", "modif-telephone-erreur");
  await axe(page, "/membres, editing with a field error");
  await screenshot(page, "coord-01-membre-erreur");

  // Corrected: saved with the etag it was read with, the list shows the new values.
  await edit.getByLabel("Téléphone").fill("03 85 76 00 00");
  await edit.getByLabel("Fonction").fill("Juriste d’association");
  await edit.locator("label", { hasText: /^Justice$/ }).click();
  const patch = page.waitForRequest((r) => r.method() === "PATCH");
  await edit.getByRole("button", { name: "Enregistrer la fiche" }).click();
  expect((await patch).headers()["if-match"]).toBe(made.json.etag);
  await expect(page.getByText(`La fiche de ${PREFIX} Martin est enregistrée.`)).toBeVisible();
  await expect(row).toContainText("Juriste d’association");
  await expect(row).toContainText("Justice, Accès aux droits");
  await expect(row).toContainText("03 85 76 00 00");

  // Someone else changes the member while the form is open: the save is refused, the page says
  // so and offers to reload the record; reloaded, the other change shows and the save goes through.
  await row.getByRole("button", { name: `Modifier ${PREFIX} Martin` }).click();
  const elsewhere = await apiCall("PATCH", `/v1/${name}?updateMask=role`, { role: "Changé ailleurs" });
  expect(elsewhere.status, JSON.stringify(elsewhere.json)).toBe(200);
  await edit.getByLabel("Nom", { exact: true }).fill(`${PREFIX} Martine`);
  await edit.getByRole("button", { name: "Enregistrer la fiche" }).click();
  const stale = page.getByRole("alert").filter({ hasText: "Quelqu’un d’autre a modifié cette fiche" });
  await expect(stale).toBeVisible();
  await axe(page, "/membres, stale etag");
  await screenshot(page, "coord-02-membre-modifie-ailleurs");
  await stale.getByRole("button", { name: "Recharger la fiche" }).click();
  await expect(edit.getByLabel("Fonction")).toHaveValue("Changé ailleurs");
  await expect(stale).toHaveCount(0);
  await edit.getByLabel("Nom", { exact: true }).fill(`${PREFIX} Martine`);
  await edit.getByRole("button", { name: "Enregistrer la fiche" }).click();
  await expect(page.getByText(`La fiche de ${PREFIX} Martine est enregistrée.`)).toBeVisible();
  const row2 = table.getByRole("row", { name: new RegExp(`${PREFIX} Martine`) });
  await expect(row2).toContainText("Changé ailleurs");

  // Removal asks first; cancelled, nothing happens; confirmed, the member is gone.
  await row2.getByRole("button", { name: `Retirer ${PREFIX} Martine` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Retirer ${PREFIX} Martine du réseau ?` });
  await expect(confirm).toBeFocused();
  await axe(page, "/membres, confirming a removal");
  await screenshot(page, "coord-03-membre-retrait");
  await confirm.getByRole("button", { name: "Annuler" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(row2).toBeVisible();
  await row2.getByRole("button", { name: `Retirer ${PREFIX} Martine` }).click();
  const del = page.waitForRequest((r) => r.method() === "DELETE");
  await confirm.getByRole("button", { name: `Retirer ${PREFIX} Martine` }).click();
  expect((await del).headers()["if-match"]).toBeTruthy();
  await expect(page.getByText(`${PREFIX} Martine ne fait plus partie du réseau.`)).toBeVisible();
  await expect(row2).toHaveCount(0);
  expect((await apiCall("GET", `/v1/${name}`)).status).toBe(404);
  await axe(page, "/membres, after a removal");

  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([
    "Failed to load resource: the server responded with a status of 400 (Bad Request)",
    "Failed to load resource: the server responded with a status of 412 (Precondition Failed)",
  ]);
});

test("a coordinator sends a monthly report, checked as the API checks it, corrects it, and reads the raw figures", async ({ page }) => {
  const seen = await watch(page);
  const month = monthsAgo(1);
  const posts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes("/reports")) posts.push(r.postData() ?? "");
  });

  await page.goto(url("/rapport-mensuel"));
  await expect(page.getByText("réservée aux coordinatrices et coordinateurs")).toBeVisible();
  await axe(page, "/rapport-mensuel signed out");
  await signIn(page);
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Rapport mensuel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Rapport mensuel du réseau" })).toBeVisible();
  // A first sign-in has nothing to give back (a draft is for an expired session's work).
  await expect(page.getByText("avant de vous reconnecter")).toHaveCount(0);

  // A month that has not begun is refused before anything is read.
  await page.getByLabel("Mois du rapport").fill("2999-01");
  await page.getByRole("button", { name: "Ouvrir ce mois" }).click();
  await expect(page.locator("#mois-messages")).toHaveText("Cette période n’a pas encore commencé : un rapport compte ce qui a eu lieu.");
  await expect(page.getByLabel("Mois du rapport")).toHaveAttribute("aria-invalid", "true");
  await axe(page, "/rapport-mensuel, a month to come");

  await page.getByLabel("Mois du rapport").fill(month);
  await page.getByRole("button", { name: "Ouvrir ce mois" }).click();
  await expect(page.getByText("Ce mois n’a pas encore été rapporté.")).toBeVisible();
  const form = page.getByRole("form", { name: /^Rapport de / });

  // A breakdown that counts more victims than supported: refused as the API refuses it, with the
  // same words, under the breakdown; nothing is sent.
  await form.getByLabel("Victimes accompagnées").fill("10");
  await form.getByLabel("Physiques").fill("6");
  await form.getByLabel("Psychologiques").fill("7");
  await form.getByLabel("Enfants exposés aux violences").fill("-1");
  await form.getByRole("button", { name: "Envoyer le rapport" }).click();
  const byForm = page.locator("#by_form-messages");
  await expect(byForm).toHaveText("Cette répartition compte 13 victimes, plus que les 10 victimes accompagnées.");
  await expect(page.locator("#enfants-messages")).toHaveText("Saisissez un nombre entier de 0 à 1 000 000.");
  expect(posts).toEqual([]);
  const api = await apiCall("POST", `/v1/networks/${NETWORK}/reports`, {
    period: month,
    counts: { victimsSupported: "10", childrenExposed: "-1", byForm: [{ form: "FORM_OF_VIOLENCE_PHYSICAL", count: "6" }, { form: "FORM_OF_VIOLENCE_PSYCHOLOGICAL", count: "7" }] },
  });
  expect(api.status).toBe(400);
  const violations: { field: string; description: string }[] = api.json.error.details.find((d: { fieldViolations?: unknown }) => d.fieldViolations).fieldViolations;
  const said = Object.fromEntries(violations.map((v) => [v.field.replaceAll("_", "").toLowerCase(), frenchMessage(v.field, v.description)]));
  // protovalidate's range rule, in the same words as the form's own check.
  expect(said["counts.childrenexposed"]).toBe((await page.locator("#enfants-messages").textContent())?.trim());
  await axe(page, "/rapport-mensuel, counts refused");
  await screenshot(page, "coord-04-rapport-erreurs");
  // The domain's rule runs once the proto's rules pass: the same French words as the form's.
  const api2 = await apiCall("POST", `/v1/networks/${NETWORK}/reports`, {
    period: month,
    counts: { victimsSupported: "10", byForm: [{ form: "FORM_OF_VIOLENCE_PHYSICAL", count: "6" }, { form: "FORM_OF_VIOLENCE_PSYCHOLOGICAL", count: "7" }] },
  });
  expect(api2.status).toBe(400);
  const v2: { field: string; description: string }[] = api2.json.error.details.find((d: { fieldViolations?: unknown }) => d.fieldViolations).fieldViolations;
  expect(v2.map((v) => frenchMessage(v.field, v.description))).toEqual([(await byForm.textContent())?.trim()]);

  // Corrected and sent: revision 1.
  await form.getByLabel("Psychologiques").fill("2");
  await form.getByLabel("Sexuelles").fill("2");
  await form.getByLabel("Enfants exposés aux violences").fill("4");
  await form.getByLabel("Femmes").fill("9");
  await expect(byForm).toHaveText("Non précisé : 0");
  await form.getByRole("button", { name: "Envoyer le rapport" }).click();
  await expect(page.getByText(`Le rapport de ${month} est enregistré (révision 1).`)).toBeVisible();
  expect(posts).toHaveLength(1);
  const revisions = page.getByRole("table", { name: /^Révisions du rapport de/ });
  await expect(revisions.locator("tbody tr")).toHaveCount(1);

  // A correction is the next revision; the latest counts stay in the form, the history keeps both.
  const correction = page.getByRole("form", { name: /^Corriger le rapport de / });
  await expect(correction.getByLabel("Victimes accompagnées")).toHaveValue("10");
  await expect(correction.getByLabel("Sexuelles")).toHaveValue("2");
  await correction.getByLabel("Victimes accompagnées").fill("12");
  await expect(page.locator("#by_form-messages")).toHaveText("Non précisé : 2");
  await correction.getByRole("button", { name: "Enregistrer la correction" }).click();
  await expect(page.getByText(`La correction du rapport de ${month} est enregistrée : c’est la révision 2.`)).toBeVisible();
  await expect(revisions.locator("tbody tr")).toHaveCount(2);
  await expect(revisions.locator("tbody tr").nth(0)).toContainText("12");
  await expect(revisions.locator("tbody tr").nth(1)).toContainText("10");
  await expect(revisions.locator("tbody tr").nth(0).locator("th")).toHaveText("2");
  await axe(page, "/rapport-mensuel, corrected");
  await screenshot(page, "coord-05-rapport-revisions");

  // The raw figures: the month's counts as sent, small ones included (the public sees them hidden).
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Chiffres bruts" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Chiffres bruts du réseau" })).toBeVisible();
  await page.getByLabel("Depuis").fill(month.slice(0, 4));
  await page.getByLabel("Jusqu’à").fill(month.slice(0, 4));
  await page.getByLabel("Détail").selectOption("GRANULARITY_MONTH");
  await page.getByRole("button", { name: "Afficher" }).click();
  const totals = page.getByRole("table", { name: "Victimes accompagnées, chiffres bruts du réseau" });
  await expect(totals.getByRole("row", { name: new RegExp(`^${month}`) })).toContainText("12");
  const forms = page.getByRole("table", { name: /selon la forme principale de violence, chiffres bruts/ });
  // Physiques 6, Psychologiques 2, Sexuelles 2, Économiques 0, Administratives 0, non précisé 2.
  await expect(forms.getByRole("row", { name: new RegExp(`^${month}`) }).locator("td")).toHaveText(["6", "2", "2", "0", "0", "2"]);
  // The public sees the month once the Département has published its year (publication is explicit).
  await apiAs("admin", "POST", `/v1/years/${month.slice(0, 4)}/releases`, {});
  const pub = await (await fetch(url(`/v1/networks/${NETWORK}/series?granularity=GRANULARITY_MONTH&startPeriod=${month}&endPeriod=${month}`))).json();
  const sexual = pub.periods[0].figures.byForm.find((f: { form: string }) => f.form === "FORM_OF_VIOLENCE_SEXUAL");
  expect(sexual.count.hidden).toBe(true);
  await axe(page, "/chiffres-du-reseau");
  await screenshot(page, "coord-06-chiffres-bruts");

  // A range the API refuses: its message, in French, under the field it names.
  await page.getByLabel("Depuis").fill("1999");
  await page.getByRole("button", { name: "Afficher" }).click();
  await expect(page.locator("#debut-messages")).toHaveText("L’année 1999 est antérieure à 2000, la première année suivie.");
  await axe(page, "/chiffres-du-reseau, a year refused");

  expect(seen.violations).toEqual([]);
  expect(seen.errors.filter((e) => !/status of 404/.test(e))).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
});

test("a session that expires in the middle of the report asks to sign in again and gives back what was typed", async ({ page }) => {
  const seen = await watch(page);
  const month = monthsAgo(2);
  await page.goto(url("/rapport-mensuel"));
  await signIn(page);
  await page.getByLabel("Mois du rapport").fill(month);
  await page.getByRole("button", { name: "Ouvrir ce mois" }).click();
  const form = page.getByRole("form", { name: /^Rapport de / });
  await form.getByLabel("Victimes accompagnées").fill("8");
  await form.getByLabel("Femmes").fill("5");
  await form.getByLabel("Justice").fill("3");

  // The provider cannot be reached to renew the token; ten and a half minutes later the access
  // token has expired. (The fake clock also stops animation frames: buttons after it are pressed from the keyboard.)
  const tokenEndpoint = (u: URL) => u.href.startsWith(process.env.VIF_AUTH_URL + "/oauth/token");
  await page.route(tokenEndpoint, (r) => (/grant_type=refresh_token/.test(r.request().postData() ?? "") ? r.abort() : r.continue()));
  await page.clock.install();
  await page.clock.fastForward("10:30");
  const expired = page.getByRole("alert").filter({ hasText: "Votre session a expiré" }).filter({ has: page.getByRole("button", { name: "Se reconnecter" }) });
  await expect(expired).toBeVisible({ timeout: 15_000 });
  await expect(form.getByLabel("Victimes accompagnées")).toHaveValue("8");
  await expect(form.getByLabel("Femmes")).toHaveValue("5");
  await expect(form.getByRole("button", { name: "Envoyer le rapport" })).toBeDisabled();
  await axe(page, "/rapport-mensuel, session expired");
  await screenshot(page, "coord-07-session-expiree");

  // Signing in again leaves for the login page: the draft goes to this tab's sessionStorage, with
  // no token, and nothing goes into the address.
  await page.unroute(tokenEndpoint);
  await activate(expired.getByRole("button", { name: "Se reconnecter" }));
  await page.waitForURL((u) => u.href.startsWith(process.env.VIF_AUTH_URL ?? "-"));
  expect(page.url()).not.toMatch(/victim|Femmes|=8\b/);
  await page.getByLabel("Adresse électronique").fill(EMAIL);
  await page.getByLabel("Mot de passe").fill(demoPassword(EMAIL));
  await activate(page.getByRole("button", { name: "Se connecter" }));
  await page.waitForURL(url("/rapport-mensuel"));
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
  await expect(page.getByText("Ce que vous aviez saisi avant de vous reconnecter a été rétabli.")).toBeVisible();
  const back = page.getByRole("form", { name: /^Rapport de / });
  await expect(back.getByLabel("Victimes accompagnées")).toHaveValue("8");
  await expect(back.getByLabel("Femmes")).toHaveValue("5");
  await expect(back.getByLabel("Justice")).toHaveValue("3");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toMatch(/access_token|refresh_token|eyJ|vif-brouillon/);
  await axe(page, "/rapport-mensuel, draft restored");

  await activate(back.getByRole("button", { name: "Envoyer le rapport" }));
  await expect(page.getByText(`Le rapport de ${month} est enregistré (révision 1).`)).toBeVisible();
  const r = await apiCall("GET", `/v1/networks/${NETWORK}/reports/${month}`);
  expect(r.json.figures.victimsSupported.value).toBe("8");

  expect(seen.violations).toEqual([]);
  expect(seen.errors.filter((e) => !/status of 404|ERR_FAILED/.test(e))).toEqual([]);
});
