// The Département's finance officer in the console: signs in, creates an ISCG post of their own
// and its plan for a year (the split to the cent, the State's 33 %), drafts and signs the
// agreement, calls a contribution, records payments (one of them after someone else changed the
// contribution: the page says so and reloads), sees what remains due, the funder's year, the
// département's summary, and downloads the SCDL export. Then a funder's officer sees their own
// year, read only. Axe in every state; the records are this file's own (a post created here).
import { expect, test, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { axe, screenshot, url, watch } from "./helpers";

const FINANCE = "finances@demo.vif.test";
const FUNDER = "financeur.prefecture@demo.vif.test";

function demoPassword(email: string): string {
  const dir = process.env.VIF_DATA_DIR;
  if (!dir) throw new Error("VIF_DATA_DIR is not set: run through playwright.config.ts");
  const line = readFileSync(join(dir, "demo-passwords.txt"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(email + "\t"));
  if (!line) throw new Error(`no demo password for ${email}`);
  return line.split("\t")[1] ?? "";
}

async function signIn(page: Page, email: string) {
  await page.getByRole("banner").getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL((u) => u.href.startsWith(process.env.VIF_AUTH_URL ?? "-"));
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel("Mot de passe").fill(demoPassword(email));
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
}

/** A finance officer's token from vif itself, for what "someone else" does through the API. */
function financeToken(): string {
  return execFileSync("go", ["run", "./cmd/vif", "token", "--role", "finance", "--data-dir", process.env.VIF_DATA_DIR ?? ""], {
    cwd: join(process.cwd(), ".."),
    encoding: "utf8",
  }).trim();
}

async function apiCall(token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(url(path), {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  expect(r.status, `${method} ${path}: ${text}`).toBe(200);
  return JSON.parse(text);
}

/** "14 850,00 €" → 1485000n: what a cell shows, in cents. */
function centsOf(text: string): bigint {
  const digits = text.replace(/[^\d-]/g, "");
  return BigInt(digits);
}

/** The cells of a table's row whose header is name. */
async function rowCells(page: Page, table: string | RegExp, name: string | RegExp): Promise<string[]> {
  const row = page.getByRole("table", { name: table }).getByRole("row", { name });
  await expect(row).toHaveCount(1);
  return (await row.locator("td").allInnerTexts()).map(plain);
}

/** Text with the no-break spaces of French figures ("45 000,01 €") as plain spaces. */
function plain(s: string): string {
  return s.replace(/[\u00a0\u202f]/g, " ");
}

test("a finance officer funds a post of their own: plan, agreement, call, payments, what remains, export", async ({ page }) => {
  // Axe runs in each of the journey's twelve states, 3 to 5 s each on a quiet 2-core machine: the
  // journey takes 60 to 75 s there, more than the suite's default (3.7 min at a load average of 47).
  test.setTimeout(300_000);
  const seen = await watch(page);
  const suffix = String(Date.now()).slice(-6);
  const postName = `ISCG essai finances ${suffix}`;
  const reference = `CONV-2025-ESSAI-${suffix}`;

  await page.goto(url("/financement"));
  await expect(page.getByRole("heading", { level: 1, name: "Financement des postes ISCG" })).toBeVisible();
  await expect(page.getByText("réservée au service financier du Département et aux financeurs")).toBeVisible();
  await axe(page, "/financement signed out");

  await signIn(page, FINANCE);
  await page.waitForURL(url("/financement"));
  await expect(page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Financements" })).toHaveAttribute("aria-current", "page");
  // The seeded posts are listed.
  await expect(page.getByRole("table", { name: "Postes ISCG" }).getByRole("link", { name: "ISCG du Louhannais" })).toBeVisible();
  await axe(page, "/financement signed in");
  await screenshot(page, "20-financement");

  // A new post: first with a SIRET the API refuses, its message under the field.
  const form = page.locator("form", { has: page.getByRole("button", { name: "Créer le poste" }) });
  await form.getByLabel("Nom du poste").fill(postName);
  await form.getByLabel("Réseau").selectOption({ label: "Réseau VIF du Louhannais" });
  await form.getByLabel("Commissariat ou gendarmerie d’accueil").selectOption({ label: "Compagnie de gendarmerie de Louhans" });
  await form.getByLabel("Date de début").fill("2025-01-01");
  await form.getByLabel("SIRET de l’employeur").fill("123");
  await form.getByRole("button", { name: "Créer le poste" }).click();
  await expect(page.locator("#poste-siret-erreur")).toBeVisible();
  await expect(form.getByLabel("SIRET de l’employeur")).toHaveAttribute("aria-describedby", "poste-siret-erreur");
  await axe(page, "/financement with a field error");

  await form.getByLabel("SIRET de l’employeur").fill("71000003500018");
  await form.getByRole("button", { name: "Créer le poste" }).click();
  const created = page.getByRole("status").filter({ hasText: "est créé" });
  await expect(created).toBeVisible();
  await created.getByRole("link", { name: postName }).click();

  // The post's page: no plan yet. A year before the post starts is refused by the API, under the field.
  await expect(page.getByRole("heading", { level: 1, name: postName })).toBeVisible();
  await expect(page.getByText("Ce poste n’a pas encore de plan de financement.")).toBeVisible();
  await axe(page, "a new post");
  const planForm = page.locator("form", { has: page.getByRole("button", { name: "Établir le plan" }) });
  await planForm.getByLabel("Année").fill("2024");
  await planForm.getByLabel("Coût annuel du poste, en euros").fill("45 000,01");
  await planForm.getByRole("button", { name: "Établir le plan" }).click();
  await expect(page.locator("#plan-annee-erreur")).toBeVisible();
  await axe(page, "a plan refused");
  // Not an amount to the cent: the page says so before asking the API.
  await planForm.getByLabel("Année").fill("2025");
  await planForm.getByLabel("Coût annuel du poste, en euros").fill("45 000,015");
  await planForm.getByRole("button", { name: "Établir le plan" }).click();
  await expect(page.locator("#plan-cout-erreur")).toContainText("au centime près");
  await planForm.getByLabel("Coût annuel du poste, en euros").fill("45 000,01");
  await planForm.getByRole("button", { name: "Établir le plan" }).click();

  // The plan: the split to the cent, the State's 33 %, the parts adding up to the cost.
  await expect(page.getByRole("heading", { level: 1, name: `Plan de financement 2025 — ${postName}` })).toBeVisible();
  const split = `Répartition du coût du plan 2025, au centime`;
  const total = await rowCells(page, split, /^Total/);
  expect(total.at(-1)).toBe("45 000,01 €");
  const state = await rowCells(page, split, /^État/);
  // 33 % of 4 500 001 cents is 1 485 000,33: 1 485 000 cents, the leftover cents going to larger fractions.
  expect(centsOf(state.at(-1) ?? "")).toBe(1485000n);
  const amounts = await page.getByRole("table", { name: split }).locator("tbody tr").evaluateAll((rows) =>
    rows.slice(0, -1).map((r) => r.lastElementChild?.textContent ?? ""),
  );
  expect(amounts.length).toBeGreaterThan(2); // the State, the Département and the network's EPCIs
  expect(amounts.reduce((t, a) => t + centsOf(a), 0n)).toBe(4500001n);
  await axe(page, "a plan");
  await screenshot(page, "21-financement-plan");

  // The agreement: drafted, then signed.
  await page.getByLabel("Objet").fill("Financement du poste ISCG d’essai");
  await page.getByRole("button", { name: "Préparer la convention" }).click();
  await expect(page.getByText("Projet (non signée)")).toBeVisible();
  await axe(page, "a draft agreement");
  await page.getByLabel("Référence de l’acte signé").fill(reference);
  await page.getByLabel("Date de la signature").fill("2025-02-01");
  await page.getByRole("button", { name: "Signer la convention" }).click();
  await expect(page.getByText("Signée", { exact: true })).toBeVisible();
  const contributions = /^Contributions de la convention/;
  const stateOwed = (await rowCells(page, contributions, /^État/))[0];
  expect(stateOwed).toBe(state.at(-1));

  // A call dated before the signature: the API's message under the date.
  const callForm = page.locator("form", { has: page.getByRole("button", { name: "Appeler" }) });
  await callForm.getByLabel("Financeur").selectOption({ label: "État — Préfecture de Saône-et-Loire (FIPD)" });
  await callForm.getByLabel("Date de l’appel").fill("2025-01-15");
  await callForm.getByRole("button", { name: "Appeler" }).click();
  await expect(page.locator("#appel-date-erreur")).toBeVisible();
  await axe(page, "a call refused");
  // Everything not called yet, on 1 March.
  await callForm.getByLabel("Date de l’appel").fill("2025-03-01");
  await callForm.getByRole("button", { name: "Appeler" }).click();
  await expect(page.getByText("14 850,00 € appelés en tout.")).toBeVisible();
  await expect.poll(async () => (await rowCells(page, contributions, /^État/)).slice(0, 5)).toEqual([
    "14 850,00 €", "14 850,00 €", "0,00 €", "14 850,00 €", "14 850,00 €",
  ]);

  // Meanwhile someone else records a payment of 100,00 € on the State's contribution.
  const token = financeToken();
  const list = await apiCall(token, "GET", "/v1/agreements?pageSize=1000");
  const mine = (list.agreements as { name: string; reference?: string }[]).find((a) => a.reference === reference);
  expect(mine).toBeDefined();
  await apiCall(token, "POST", `/v1/${mine?.name}/contributions/etat:recordPayment`, {
    amountCents: "10000",
    paymentDate: { year: 2025, month: 3, day: 10 },
    reference: "M-AUTRE",
  });

  // The page still shows the old contribution: its payment is refused as stale, and the page offers to reload.
  const payForm = page.locator("form", { has: page.getByRole("button", { name: "Enregistrer le paiement" }) });
  await payForm.getByLabel("Financeur").selectOption({ label: "État — Préfecture de Saône-et-Loire (FIPD)" });
  await payForm.getByLabel("Montant reçu, en euros").fill("4 000,50");
  await payForm.getByLabel("Date du paiement").fill("2025-04-01");
  await payForm.getByLabel("Référence comptable").fill("M-2025-017");
  await payForm.getByRole("button", { name: "Enregistrer le paiement" }).click();
  const stale = page.getByRole("alert").filter({ hasText: "Quelqu’un d’autre a modifié cet enregistrement" });
  await expect(stale).toBeVisible();
  await axe(page, "a stale contribution");
  await screenshot(page, "22-financement-perime");
  await stale.getByRole("button", { name: "Recharger" }).click();
  await expect(stale).toHaveCount(0);
  await expect.poll(async () => (await rowCells(page, contributions, /^État/))[2]).toBe("100,00 €");
  // What was typed is still there: the payment goes through now.
  await expect(payForm.getByLabel("Montant reçu, en euros")).toHaveValue("4 000,50");
  await payForm.getByRole("button", { name: "Enregistrer le paiement" }).click();
  await expect(page.getByText("paiement de 4 000,50 € enregistré ; reste à verser 10 749,50 €.")).toBeVisible();
  await expect.poll(async () => (await rowCells(page, contributions, /^État/)).slice(0, 5)).toEqual([
    "14 850,00 €", "14 850,00 €", "4 100,50 €", "10 749,50 €", "10 749,50 €",
  ]);
  // The payments, oldest first.
  const payments = page.getByRole("table", { name: "Paiements reçus, du plus ancien au plus récent" });
  await expect(payments.locator("tbody tr")).toHaveCount(2);
  await expect(payments.locator("tbody tr").nth(0)).toContainText("M-AUTRE");
  await expect(payments.locator("tbody tr").nth(1)).toContainText("1 avril 2025");
  await axe(page, "a contribution paid in part");
  await screenshot(page, "23-financement-convention");

  // The desk for 2025: the département's summary, the State's year, and the export.
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Financements" }).click();
  await page.getByRole("textbox", { name: /^Année/ }).fill("2025");
  await page.getByRole("button", { name: "Afficher l’année" }).click();
  await expect(page.getByRole("heading", { name: "Synthèse départementale 2025" })).toBeVisible();
  const byKind = "Financement des postes en 2025, par catégorie de financeur";
  await expect.poll(async () => (await rowCells(page, byKind, /^Total/))[0]).toBe("45 000,01 €");
  await expect.poll(async () => (await rowCells(page, byKind, /^État/))[0]).toBe("14 850,00 €");
  const stateYear = "État — Préfecture de Saône-et-Loire (FIPD) en 2025";
  await expect.poll(async () => (await rowCells(page, stateYear, /^Engagé/))[0]).toBe("14 850,00 €");
  await expect.poll(async () => (await rowCells(page, stateYear, /^Versé/))[0]).toBe("4 100,50 €");
  await expect.poll(async () => (await rowCells(page, stateYear, /^Reste à verser/))[0]).toBe("10 749,50 €");
  await axe(page, "/financement 2025");

  // The export is fetched with the token and offered as a file: no token in any URL.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Télécharger l’export 2025 (CSV)" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("subventions-iscg-2025.csv");
  expect(download.url()).toMatch(/^blob:/);
  const csv = readFileSync(await download.path(), "utf8");
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toBe(
    "nomAttribuant,idAttribuant,dateConvention,referenceDecision,nomBeneficiaire,idBeneficiaire,rnaBeneficiaire,objet,montant,nature,conditionsVersement,datesPeriodeVersement,idRAE,notificationUE,pourcentageSubvention,dispositifAide",
  );
  const stateLine = lines.find((l) => l.includes(reference) && l.includes("17710000500012"));
  expect(stateLine, csv).toBeDefined();
  expect(stateLine).toContain("71000003500018");
  await expect(page.getByRole("link", { name: /subventions-iscg-2025\.csv/ })).toBeVisible();
  await axe(page, "/financement after the export");

  expect(seen.violations).toEqual([]);
  // The browser logs each refusal of the API: the SIRET, the year, the call date (400) and the stale payment (409).
  expect(seen.errors.filter((e) => !/status of (400|409)/.test(e))).toEqual([]);
  expect(seen.errors).toHaveLength(4);
});

/** Through the API: a post of its own with a signed plan for year, the State's part called and partly paid. */
async function fundedPost(token: string, id: string, year: number): Promise<string> {
  await apiCall(token, "POST", `/v1/posts?postId=${id}`, {
    displayName: `ISCG essai financeur ${id.slice(-6)}`,
    network: "networks/louhannais",
    hostOrganisation: "organisations/gendarmerie-louhans",
    fteThousandths: 500,
    startDate: { year, month: 1, day: 1 },
    siret: "71000003500018",
  });
  await apiCall(token, "POST", `/v1/posts/${id}/plans?year=${year}`, {
    annualCostCents: "2000000",
    stateFunder: "funders/etat",
    populationShares: { departementFunder: "funders/departement-71", departementShareBp: 5000 },
  });
  const a = await apiCall(token, "POST", "/v1/agreements", { plan: `posts/${id}/plans/${year}` });
  await apiCall(token, "POST", `/v1/${a.name}:sign`, { reference: `CONV-${id}`, signDate: { year, month: 2, day: 1 } });
  await apiCall(token, "POST", `/v1/${a.name}/contributions/etat:call`, { callDate: { year, month: 3, day: 1 } });
  await apiCall(token, "POST", `/v1/${a.name}/contributions/etat:recordPayment`, {
    amountCents: "250000",
    paymentDate: { year, month: 4, day: 1 },
  });
  return String(a.name);
}

test("a funder's officer sees their own year and contributions, read only", async ({ page }) => {
  test.setTimeout(120_000);
  const seen = await watch(page);
  const id = `iscg-essai-financeur-${String(Date.now()).slice(-6)}`;
  const agreement = await fundedPost(financeToken(), id, 2027);

  await page.goto(url("/financement"));
  await signIn(page, FUNDER);
  await page.getByRole("textbox", { name: /^Année/ }).fill("2027");
  await page.getByRole("button", { name: "Afficher l’année" }).click();
  // 33 % of 20 000,00 € is the State's 6 600,00 €: called in full, 2 500,00 € paid.
  const year = "État — Préfecture de Saône-et-Loire (FIPD) en 2027";
  await expect.poll(async () => (await rowCells(page, year, /^Engagé/))[0]).toBe("6 600,00 €");
  await expect.poll(async () => (await rowCells(page, year, /^Appelé/))[0]).toBe("6 600,00 €");
  await expect.poll(async () => (await rowCells(page, year, /^Versé/))[0]).toBe("2 500,00 €");
  await expect.poll(async () => (await rowCells(page, year, /^Reste à verser/))[0]).toBe("4 100,00 €");
  expect(await rowCells(page, "Vos contributions en 2027", agreement.split("/")[1] ?? "")).toEqual([
    "6 600,00 €", "6 600,00 €", "2 500,00 €", "4 100,00 €",
  ]);
  // No funder to choose (theirs only), nothing to write.
  await expect(page.getByRole("combobox", { name: "Financeur", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Créer le poste" })).toHaveCount(0);
  await axe(page, "/financement as a funder");
  await screenshot(page, "24-financement-financeur");

  // The plan's page: the split and the State's contribution, without the forms that call or pay.
  await page.goto(url(`/financement/postes/${id}/2027`));
  await signIn(page, FUNDER);
  await expect(page.getByRole("heading", { level: 1, name: /^Plan de financement 2027/ })).toBeVisible();
  await expect.poll(async () => (await rowCells(page, /^Contributions de la convention/, /^État/)).slice(0, 3)).toEqual(["6 600,00 €", "6 600,00 €", "2 500,00 €"]);
  await expect(page.getByRole("button", { name: "Appeler" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Enregistrer le paiement" })).toHaveCount(0);
  await axe(page, "a plan as a funder");

  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("the posts page by twenty", async ({ page }) => {
  const token = financeToken();
  const suffix = String(Date.now()).slice(-6);
  for (let i = 1; i <= 20; i++) {
    await apiCall(token, "POST", "/v1/posts", {
      displayName: `Poste d’essai ${suffix}-${String(i).padStart(2, "0")}`,
      network: "networks/louhannais",
      hostOrganisation: "organisations/gendarmerie-louhans",
      fteThousandths: 1000,
      startDate: { year: 2025, month: 1, day: 1 },
    });
  }
  await page.goto(url("/financement"));
  await signIn(page, FINANCE);
  const table = page.getByRole("table", { name: "Postes ISCG" });
  await expect(table.locator("tbody tr")).toHaveCount(20);
  const pager = page.getByRole("navigation", { name: "Pages des postes" });
  await expect(pager).toContainText("Page 1");
  await pager.getByRole("button", { name: "Page suivante" }).click();
  await expect(pager).toContainText("Page 2");
  await expect(table.getByRole("link", { name: `Poste d’essai ${suffix}-20` })).toBeVisible();
  await pager.getByRole("button", { name: "Page précédente" }).click();
  await expect(pager).toContainText("Page 1");
  await expect(table.locator("tbody tr")).toHaveCount(20);
  await axe(page, "/financement, the posts paged");
});

test("a plan is revised before its agreement is signed; a revision on a stale plan is said and reloaded", async ({ page }) => {
  test.setTimeout(120_000);
  const seen = await watch(page);
  const token = financeToken();
  const id = `iscg-essai-revision-${String(Date.now()).slice(-6)}`;
  await apiCall(token, "POST", `/v1/posts?postId=${id}`, {
    displayName: `ISCG essai révision ${id.slice(-6)}`,
    network: "networks/louhannais",
    hostOrganisation: "organisations/gendarmerie-louhans",
    fteThousandths: 1000,
    startDate: { year: 2026, month: 1, day: 1 },
  });
  const plan = await apiCall(token, "POST", `/v1/posts/${id}/plans?year=2026`, {
    annualCostCents: "4000000",
    stateFunder: "funders/etat",
    populationShares: { departementFunder: "funders/departement-71", departementShareBp: 5000 },
  });

  await page.goto(url(`/financement/postes/${id}/2026`));
  await signIn(page, FINANCE);
  const split = "Répartition du coût du plan 2026, au centime";
  await expect.poll(async () => (await rowCells(page, split, /^Total/)).at(-1)).toBe("40 000,00 €");
  const form = page.locator("form", { has: page.getByRole("button", { name: "Réviser le plan" }) });
  await expect(form.getByLabel("Coût annuel du poste, en euros")).toHaveValue("40000");
  await expect(form.getByLabel("Part de l’État, en % du coût")).toHaveValue("33");

  // Someone else revises it meanwhile: the page's revision is refused as stale (412), and reloads.
  await apiCall(token, "PATCH", `/v1/posts/${id}/plans/2026?updateMask=annual_cost_cents`, { annualCostCents: "3000000", etag: plan.etag });
  await form.getByLabel("Coût annuel du poste, en euros").fill("42 000,50");
  await form.getByLabel("Part de l’État, en % du coût").fill("40");
  await form.getByRole("button", { name: "Réviser le plan" }).click();
  const stale = page.getByRole("alert").filter({ hasText: "Quelqu’un d’autre a modifié cet enregistrement" });
  await expect(stale).toBeVisible();
  await axe(page, "a stale plan");
  await stale.getByRole("button", { name: "Recharger" }).click();
  await expect(stale).toHaveCount(0);
  await expect.poll(async () => (await rowCells(page, split, /^Total/)).at(-1)).toBe("30 000,00 €");
  await expect(form.getByLabel("Coût annuel du poste, en euros")).toHaveValue("42 000,50");

  // Sent again on the current plan: the split is recomputed to the cent.
  await form.getByRole("button", { name: "Réviser le plan" }).click();
  await expect(page.getByText("Le plan est révisé (révision 2).")).toBeVisible();
  await expect.poll(async () => (await rowCells(page, split, /^Total/)).at(-1)).toBe("42 000,50 €");
  await expect.poll(async () => (await rowCells(page, split, /^État/)).at(-1)).toBe("16 800,20 €");
  await axe(page, "a revised plan");

  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual(["Failed to load resource: the server responded with a status of 412 (Precondition Failed)"]);
});

test("a plan splits the rest in fixed shares; shares that do not make 100 % are refused under the shares", async ({ page }) => {
  test.setTimeout(120_000);
  const seen = await watch(page);
  const id = `iscg-essai-parts-${String(Date.now()).slice(-6)}`;
  await apiCall(financeToken(), "POST", `/v1/posts?postId=${id}`, {
    displayName: `ISCG essai parts ${id.slice(-6)}`,
    network: "networks/louhannais",
    hostOrganisation: "organisations/gendarmerie-louhans",
    fteThousandths: 1000,
    startDate: { year: 2026, month: 1, day: 1 },
  });
  await page.goto(url(`/financement/postes/${id}`));
  await signIn(page, FINANCE);
  const form = page.locator("form", { has: page.getByRole("button", { name: "Établir le plan" }) });
  await form.getByLabel("Année").fill("2026");
  await form.getByLabel("Coût annuel du poste, en euros").fill("10 000");
  await form.locator("label", { hasText: "Des parts fixes" }).click(); // the DSFR draws the radio on the label
  await form.getByLabel("Département de Saône-et-Loire").fill("60");
  await form.getByLabel(/Bresse Louhannaise/).fill("30");
  await form.getByRole("button", { name: "Établir le plan" }).click();
  await expect(page.locator("#plan-parts-erreur")).toContainText("10000");
  await axe(page, "fixed shares refused");

  await form.getByLabel(/Bresse Louhannaise/).fill("40");
  await form.getByRole("button", { name: "Établir le plan" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /^Plan de financement 2026/ })).toBeVisible();
  await expect(page.getByText("le reste en parts fixes")).toBeVisible();
  const split = "Répartition du coût du plan 2026, au centime";
  await expect.poll(async () => (await rowCells(page, split, /^État/)).at(-1)).toBe("3 300,00 €");
  await expect.poll(async () => (await rowCells(page, split, /^Département/)).at(-1)).toBe("4 020,00 €");
  await expect.poll(async () => (await rowCells(page, split, /Bresse Louhannaise/)).at(-1)).toBe("2 680,00 €");
  await expect.poll(async () => (await rowCells(page, split, /^Total/)).at(-1)).toBe("10 000,00 €");
  await axe(page, "a plan in fixed shares");

  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
});
