// The admin in the console (admin@demo.vif.test): creates an organisation (and first sees the
// form's own check and the API's refusal under the field they name), edits it with its etag, sees
// a change made meanwhile refused as stale with an offer to reload, archives it (the API's soft
// delete) and brings it back; then the accounts page, which says where this instance's accounts
// are managed. Every test edits only the organisation it created. Axe on every state.
import { expect, test } from "@playwright/test";
import { axe, screenshot, url, watch } from "./helpers";
import { apiAs, fresh, signInAt, visit } from "./fleetadm";

test.describe.configure({ timeout: 180_000 });

const ADMIN = "admin@demo.vif.test";

test("the admin creates, edits, archives and restores an organisation", async ({ page }) => {
  const seen = await watch(page);
  await page.goto(url("/organisations"));
  await expect(page.getByText("réservée aux administratrices et administrateurs")).toBeVisible();
  await axe(page, "/organisations signed out");

  await signInAt(page, "/organisations", ADMIN);
  const nav = page.getByRole("navigation", { name: "Menu principal" });
  await expect(nav.getByRole("link", { name: "Organisations" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Comptes" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Organisations" })).toContainText("Caf de Saône-et-Loire");
  await expect(page.getByText("Page 1 sur")).toBeVisible();
  await axe(page, "/organisations signed in");
  await screenshot(page, "admin-00-organisations");

  // A SIRET whose key is wrong: the form's own check, nothing sent.
  const posts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes("/v1/organisations")) posts.push(r.url());
  });
  const id = `t-${fresh()}`;
  const form = page.locator("form");
  await form.locator("#nom").fill("Garage solidaire d’essai");
  await form.locator("#type").selectOption("ORGANISATION_KIND_GARAGE_SOLIDAIRE");
  await form.locator("#siret").fill("12345678901234");
  await form.locator("#commune").fill("71999");
  await form.locator("#identifiant").fill(id);
  await form.getByRole("button", { name: "Créer l’organisation" }).click();
  await expect(page.locator("#siret-erreur")).toContainText("clé de contrôle");
  await expect(form.locator("#siret")).toHaveAttribute("aria-describedby", "siret-erreur");
  expect(posts).toEqual([]);
  await axe(page, "/organisations with the form's error");

  // A commune outside the département's référentiel: the API's message, under the commune.
  await form.locator("#siret").fill("");
  await form.getByRole("button", { name: "Créer l’organisation" }).click();
  await expect(page.locator("#commune-erreur")).toContainText("71999");
  await expect(page.locator("#siret-erreur")).toHaveCount(0);
  expect(posts.length).toBe(1);
  await axe(page, "/organisations with the API's error");
  await screenshot(page, "admin-01-organisations-erreur");

  await form.locator("#commune").fill("71270");
  await form.getByRole("button", { name: "Créer l’organisation" }).click();
  await page.waitForURL(url(`/organisations/${id}`));
  await expect(page.getByRole("heading", { level: 1, name: "Garage solidaire d’essai" })).toBeVisible();
  await expect(page.getByText("Garage solidaire · identifiant")).toBeVisible();
  await axe(page, "/organisations/{id}");

  // Edited with its etag.
  await page.locator("#adresse").fill("12 rue de la Mobilité, 71000 Mâcon");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByText("Les modifications sont enregistrées.")).toBeVisible();
  await expect(page.locator("#adresse")).toHaveValue("12 rue de la Mobilité, 71000 Mâcon");

  // Someone else renames it meanwhile: saving is refused as stale, and reloading shows theirs.
  await apiAs("admin", "PATCH", `/v1/organisations/${id}?updateMask=display_name`, { displayName: "Garage solidaire du Mâconnais" });
  await page.locator("#nom").fill("Garage solidaire de Mâcon");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("heading", { name: "Quelqu’un d’autre a modifié cet enregistrement" })).toBeVisible();
  await axe(page, "/organisations/{id} stale");
  await screenshot(page, "admin-02-organisation-perimee");
  await page.getByRole("button", { name: "Recharger" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Garage solidaire du Mâconnais" })).toBeVisible();
  await expect(page.locator("#nom")).toHaveValue("Garage solidaire du Mâconnais");

  // Archived: shown as such, no longer editable, and back with one click.
  await page.getByRole("button", { name: "Archiver l’organisation" }).click();
  await expect(page.getByText("L’organisation est archivée.")).toBeVisible();
  await expect(page.getByText("Archivée", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Enregistrer" })).toHaveCount(0);
  await axe(page, "/organisations/{id} archived");
  const archived = await apiAs("admin", "GET", `/v1/organisations/${id}`);
  expect(archived.deleteTime).toBeTruthy();
  await page.getByRole("button", { name: "Rétablir l’organisation" }).click();
  await expect(page.getByText("L’organisation est de nouveau active.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Archiver l’organisation" })).toBeVisible();
  const restored = await apiAs("admin", "GET", `/v1/organisations/${id}`);
  expect(restored.deleteTime).toBeFalsy();

  // While a network's member belongs to it, it is not archived, and the page says why.
  const member = await apiAs("admin", "POST", "/v1/networks/tournugeois/members", {
    organisation: `organisations/${id}`, displayName: "Paul Essai", domains: ["DOMAIN_INSERTION"],
  });
  await page.getByRole("button", { name: "Archiver l’organisation" }).click();
  await expect(page.getByText("Des membres des réseaux appartiennent encore à cette organisation")).toBeVisible();
  await axe(page, "/organisations/{id} with members");
  await apiAs("admin", "DELETE", `/v1/${String(member.name)}`);

  expect(seen.violations).toEqual([]);
  // The API's answers the page shows: the commune refused (400), the stale save (409).
  expect(seen.errors.filter((e) => !/status of (400 \(Bad Request\)|409 \(Conflict\))/.test(e))).toEqual([]);
});

test("the admin's accounts page says where accounts are managed, and the roles", async ({ page }) => {
  const seen = await watch(page);
  await signInAt(page, "/comptes", ADMIN);
  await expect(page.getByRole("heading", { level: 1, name: "Comptes" })).toBeVisible();
  await expect(page.getByText(`Vous êtes connecté·e chez ${process.env.VIF_AUTH_URL}`)).toBeVisible();
  await expect(page.getByText("vif users list --data-dir")).toBeVisible();
  const roles = page.getByRole("table", { name: "Les rôles de vif et ce qu’ils permettent" });
  await expect(roles.getByRole("row")).toHaveCount(8);
  await expect(roles.getByRole("row", { name: /fleet/ })).toContainText("cessions");
  await axe(page, "/comptes");
  await screenshot(page, "admin-03-comptes");
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  await axe(page, "/comptes at a phone's width");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Not a fleet manager's page, nor the organisations.
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await signInAt(page, "/comptes", "flotte@demo.vif.test");
  await expect(page.getByText("Votre compte ne donne pas accès à cette page")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Comptes" })).toHaveCount(0);
  await visit(page, "/organisations");
  await expect(page.getByText("Votre compte ne donne pas accès à cette page")).toBeVisible();
  await axe(page, "/organisations as the fleet manager");

  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});
