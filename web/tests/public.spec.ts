// The public journeys of the console, end to end against the running embedded default: find the
// network of a commune, see its territory, its members (for a signed-in professional), its trend,
// and the département's figures with the national comparison. Each page is checked by axe, under
// the console's Content-Security-Policy, with nothing refused.
import { expect, test } from "@playwright/test";
import { axe, screenshot, url, watch } from "./helpers";

test("the console's pages are sent with a strict policy and load nothing from elsewhere", async ({ page }) => {
  const seen = await watch(page);
  const other: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(url("/"))) other.push(r.url());
  });
  const res = await page.goto(url("/"));
  const h = res!.headers();
  expect(h["content-security-policy"]).toContain("script-src 'self'");
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["content-security-policy"]).not.toContain("unsafe-inline");
  expect(h["referrer-policy"]).toBe("no-referrer");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Trouver le réseau VIF d’une commune");
  // The Marianne font is the binary's own.
  const font = await page.evaluate(async () => {
    await document.fonts.ready;
    return document.fonts.check("1em Marianne");
  });
  expect(font).toBe(true);
  expect(other).toEqual([]);
  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("a skip link takes the keyboard to the content", async ({ page }) => {
  await page.goto(url("/"));
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Contenu" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("#contenu")).toBeFocused();
  await expect(page.getByRole("banner")).toContainText("République");
  await expect(page.getByRole("contentinfo")).toContainText("licence etalab-2.0");
});

test("find the network of a commune by its name, then open it", async ({ page }) => {
  const seen = await watch(page);
  await page.goto(url("/"));
  const field = page.getByLabel("Nom ou code postal de la commune");
  // Without its accent, the name is found all the same.
  await field.fill("macon");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await expect(page.getByRole("row", { name: /^Mâcon \(INSEE 71270\)/ })).toContainText("Réseau VIF du Mâconnais");

  await field.fill("louhans");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await expect(page.getByRole("heading", { name: "2 communes correspondent à « louhans »" })).toBeVisible();
  const row = page.getByRole("row", { name: /^Louhans-Châteaurenaud/ });
  await expect(row).toContainText("71500");
  await axe(page, "accueil, résultats");
  await screenshot(page, "01-accueil-recherche");
  await row.getByRole("link").click();
  await expect(page).toHaveURL(url("/reseaux/louhannais"));
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Louhannais");
  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("find the communes of a postal code; a long result pages", async ({ page }) => {
  await page.goto(url("/"));
  const field = page.getByLabel("Nom ou code postal de la commune");
  await field.fill("71100");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await expect(page.getByRole("row", { name: /Chalon-sur-Saône/ })).toContainText("Réseau VIF du Chalonnais");

  await field.fill("saint");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await expect(page.getByRole("heading", { name: /communes correspondent à « saint »/ })).toBeVisible();
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(10);
  const first = await rows.first().textContent();
  const pager = page.getByRole("navigation", { name: "Pages des communes trouvées" });
  await expect(pager).toContainText("Page 1 sur");
  await pager.getByRole("button", { name: "Page suivante" }).click();
  await expect(pager).toContainText("Page 2 sur");
  await expect(rows.first()).not.toHaveText(first!);
  await pager.getByRole("button", { name: "Page précédente" }).click();
  await expect(rows.first()).toHaveText(first!);
});

test("a search the console cannot run says why next to the field", async ({ page }) => {
  await page.goto(url("/"));
  const field = page.getByLabel("Nom ou code postal de la commune");
  await field.fill("715");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#recherche-commune-messages")).toHaveText("Un code postal a 5 chiffres, par exemple 71500.");
  await axe(page, "accueil, erreur");

  await field.fill("zzzz");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await expect(page.getByRole("heading", { name: "Aucune commune de Saône-et-Loire ne correspond à « zzzz »" })).toBeVisible();
  await expect(field).not.toHaveAttribute("aria-invalid", "true");
});

test("the 13 networks, each a link to its page", async ({ page }) => {
  const seen = await watch(page);
  await page.goto(url("/reseaux"));
  await expect(page.getByRole("heading", { level: 2 })).toHaveCount(13);
  await axe(page, "réseaux");
  await screenshot(page, "02-reseaux");
  await page.getByRole("link", { name: "Réseau VIF du Chalonnais" }).click();
  await expect(page).toHaveURL(url("/reseaux/chalonnais"));
  expect(seen.violations).toEqual([]);
});

test("a network's territory: its EPCIs and its communes page by page", async ({ page }) => {
  const seen = await watch(page);
  await page.goto(url("/reseaux/chalonnais"));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Réseau VIF du Chalonnais");
  const epcis = page.getByRole("table", { name: "Intercommunalités du réseau" });
  await expect(epcis.getByRole("row", { name: /Grand Chalon/ })).toBeVisible();
  const communes = page.getByRole("table", { name: /Communes du réseau/ });
  await expect(communes.locator("tbody tr")).toHaveCount(20);
  const first = await communes.locator("tbody tr").first().textContent();
  const pager = page.getByRole("navigation", { name: "Pages des communes du réseau" });
  await pager.getByRole("button", { name: "Page suivante" }).click();
  await expect(pager).toContainText("Page 2 sur");
  await expect(communes.locator("tbody tr").first()).not.toHaveText(first!);
  await pager.getByRole("button", { name: "Page précédente" }).click();
  await expect(communes.locator("tbody tr").first()).toHaveText(first!);
  // Members are professionals: the API gives them to signed-in callers only.
  await expect(page.locator("#membres + .fr-notice")).toContainText("réservée aux professionnels connectés");
  await expect(page.getByRole("table", { name: /Victimes accompagnées par an/ })).toBeVisible();
  await axe(page, "réseau");
  await screenshot(page, "03-reseau-chalonnais");
  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("a network's members, for a caller with a token", async ({ page }) => {
  // The sign-in is another page's work; the token goes on the API calls as the signed-in
  // console's client will send it.
  await page.route(url("/v1/**"), (route) =>
    route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${process.env.VIF_READER_TOKEN}` } }),
  );
  await page.goto(url("/reseaux/chalonnais"));
  const section = page.locator("section", { has: page.locator("#membres") });
  await expect(section.locator(".fr-notice")).toHaveCount(0);
  await expect(section.getByRole("table", { name: "Membres du réseau" }).or(section.getByText("pas encore de membre"))).toBeVisible();
  await axe(page, "réseau, membres");
});

test("a network's yearly trend: chart, table, hidden figures as « secret statistique »", async ({ page }) => {
  await page.goto(url("/reseaux/louhannais"));
  const chart = page.getByRole("img", { name: /Victimes accompagnées par an, Réseau VIF du Louhannais/ });
  await expect(chart).toBeVisible();
  const totals = page.getByRole("table", { name: "Victimes accompagnées par an, Réseau VIF du Louhannais" });
  await expect(totals.locator("tbody tr")).toHaveCount(7);
  await expect(totals.getByRole("row", { name: /^2017/ })).toContainText("48");
  // A network's breakdowns are never published: each cell says so.
  const forms = page.getByRole("table", { name: /selon la forme de violence, Réseau VIF du Louhannais/ });
  await expect(forms.locator("tbody tr")).toHaveCount(7);
  await expect(forms.getByText("secret statistique").first()).toBeVisible();
  expect(await forms.getByText("secret statistique").count()).toBeGreaterThan(7 * 6 / 2);
  await expect(page.getByRole("table", { name: /Évolution comparée à l’évolution nationale, Réseau VIF du Louhannais/ })).toBeVisible();
});

test("an unknown network says so", async ({ page }) => {
  await page.goto(url("/reseaux/inconnu"));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Réseau introuvable");
  await expect(page.getByRole("alert")).toHaveText("Aucun réseau ne porte ce nom.");
  await axe(page, "réseau introuvable");
});

test("the département's trend, each network's, and the national comparison", async ({ page }) => {
  const seen = await watch(page);
  await page.goto(url("/statistiques"));
  await expect(page.getByRole("img", { name: /Victimes accompagnées par an, Saône-et-Loire/ })).toBeVisible();
  const totals = page.getByRole("table", { name: "Victimes accompagnées par an, Saône-et-Loire" });
  await expect(totals.getByRole("row", { name: /^2022/ })).toContainText("1 134");
  await expect(totals.getByRole("row", { name: /^2022/ })).toContainText("+11,7 %");
  const national = page.getByRole("table", { name: "Évolution comparée à l’évolution nationale, Saône-et-Loire" });
  await expect(national.getByRole("row", { name: /^2022/ })).toContainText("+21,0 %");
  await expect(page.getByText(/Source nationale/)).toBeVisible();
  const byNetwork = page.getByRole("table", { name: "Victimes accompagnées par réseau et par an" });
  await expect(byNetwork.locator("tbody tr")).toHaveCount(13);
  await expect(byNetwork.getByRole("row", { name: /Chalonnais/ })).toContainText("250");
  await axe(page, "statistiques");
  await screenshot(page, "04-statistiques");
  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("years the API refuses: its message shows under the year it names", async ({ page }) => {
  await page.goto(url("/statistiques"));
  await expect(page.getByRole("table", { name: "Victimes accompagnées par an, Saône-et-Loire" })).toBeVisible();
  await page.getByLabel("Depuis l’année").fill("2023");
  await page.getByLabel("Jusqu’à l’année").fill("2017");
  await page.getByRole("button", { name: "Afficher" }).click();
  const end = page.getByLabel("Jusqu’à l’année");
  await expect(end).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#annee-fin-messages")).toContainText("2017");
  await expect(page.locator("#annee-debut-messages")).toBeEmpty();
  await axe(page, "statistiques, erreur");
  await screenshot(page, "05-statistiques-erreur");

  await page.getByLabel("Depuis l’année").fill("1800");
  await page.getByLabel("Jusqu’à l’année").fill("2020");
  await page.getByRole("button", { name: "Afficher" }).click();
  await expect(page.locator("#annee-debut-messages")).toContainText("2000");
  await expect(end).not.toHaveAttribute("aria-invalid", "true");
});

test("the browser's back button returns to the previous page", async ({ page }) => {
  await page.goto(url("/statistiques"));
  await page.getByRole("link", { name: "Réseau VIF du Chalonnais" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Réseau VIF du Chalonnais");
  await page.goBack();
  await expect(page).toHaveURL(url("/statistiques"));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Les victimes accompagnées en Saône-et-Loire");
});
