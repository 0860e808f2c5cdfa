// A network's coordinator in the console: signs in through the built-in provider's real login
// page (authorization code with PKCE), sees their network's members, adds one (and first sees the
// API's error under the field it names), signs out. Axe on each new page.
import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { axe, screenshot, url, watch } from "./helpers";
import type { Page } from "@playwright/test";

const EMAIL = "coordination.louhannais@demo.vif.test";

function demoPassword(email: string): string {
  const dir = process.env.VIF_DATA_DIR;
  if (!dir) throw new Error("VIF_DATA_DIR is not set: run through playwright.config.ts");
  const line = readFileSync(join(dir, "demo-passwords.txt"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(email + "\t"));
  if (!line) throw new Error(`no demo password for ${email}`);
  return line.split("\t")[1] ?? "";
}

test("a coordinator signs in, sees and adds their network's members, signs out", async ({ page }) => {
  const seen = await watch(page);
  const tokenCalls: string[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith(process.env.VIF_AUTH_URL + "/oauth/token")) tokenCalls.push(r.postData() ?? "");
  });

  await page.goto(url("/membres"));
  await expect(page.getByRole("heading", { level: 1, name: "Membres du réseau" })).toBeVisible();
  await expect(page.getByText("réservée aux coordinatrices et coordinateurs")).toBeVisible();
  await axe(page, "/membres signed out");

  // The real login page of the provider the gateway names (another origin), with PKCE S256.
  await page.getByRole("banner").getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL((u) => u.href.startsWith(process.env.VIF_AUTH_URL ?? "-"));
  await page.getByLabel("Adresse électronique").fill(EMAIL);
  await page.getByLabel("Mot de passe").fill(demoPassword(EMAIL));
  await page.getByRole("button", { name: "Se connecter" }).click();

  // Back where they were, the code gone from the address bar, nothing kept in web storage.
  await page.waitForURL(url("/membres"));
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
  expect(page.url()).toBe(url("/membres"));
  expect(tokenCalls.some((b) => /grant_type=authorization_code/.test(b) && /code_verifier=/.test(b))).toBe(true);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toMatch(/access_token|refresh_token|eyJ/);
  await expect(page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Membres du réseau" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByText("Réseau louhannais")).toBeVisible();
  // The seed gives the Louhannais no member yet.
  await expect(page.getByText("Le réseau n’a pas encore de membre inscrit.")).toBeVisible();
  await axe(page, "/membres signed in");
  await screenshot(page, "08-membres");

  // A bad telephone number: the API's message under the field, nothing added.
  const form = page.locator("form");
  await form.getByLabel("Organisation").selectOption({ index: 1 });
  await form.getByLabel("Nom", { exact: true }).fill("Claire Essai");
  await form.getByLabel("Fonction").fill("Intervenante sociale en gendarmerie");
  await form.locator("label", { hasText: /^Social$/ }).click(); // the DSFR draws the box on the label
  await form.locator("label", { hasText: /^Justice$/ }).click();
  await form.getByLabel("Téléphone").fill("pas un numéro");
  await form.getByRole("button", { name: "Ajouter le membre" }).click();
  const phoneError = page.locator("#telephone-erreur");
  await expect(phoneError).toBeVisible();
  await expect(form.getByLabel("Téléphone")).toHaveAttribute("aria-describedby", "telephone-erreur");
  await axe(page, "/membres with a field error");
  await screenshot(page, "09-membres-erreur");

  // Corrected, the member is added and listed with their domains.
  await form.getByLabel("Téléphone").fill("03 85 00 00 00");
  await form.getByRole("button", { name: "Ajouter le membre" }).click();
  await expect(page.getByText("Claire Essai est membre du réseau.")).toBeVisible();
  await expect(phoneError).toHaveCount(0);
  const table = page.getByRole("table", { name: "Membres du réseau" });
  const row = table.getByRole("row", { name: /Claire Essai/ });
  await expect(row).toBeVisible();
  await expect(row).toContainText("Justice, Social");

  // Signed out: the page asks to sign in again, and the API no longer gets a token.
  // The refresh token is revoked at the provider (RFC 7009).
  const revoked = page.waitForResponse((r) => r.url().startsWith(process.env.VIF_AUTH_URL + "/revoke") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  expect((await revoked).status()).toBe(200);
  expect((await revoked).request().postData()).toMatch(/token_type_hint=refresh_token/);
  await expect(page.getByRole("banner").getByRole("button", { name: "Se connecter" })).toBeVisible();
  await expect(page.getByText("réservée aux coordinatrices et coordinateurs")).toBeVisible();
  await expect(page.getByRole("link", { name: "Membres du réseau" })).toHaveCount(0);

  expect(seen.violations).toEqual([]);
  // The one error the browser logged is the API's 400 for the bad telephone number.
  expect(seen.errors).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
});

async function signIn(page: Page) {
  await page.getByRole("banner").getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL((u) => u.href.startsWith(process.env.VIF_AUTH_URL ?? "-"));
  await page.getByLabel("Adresse électronique").fill(EMAIL);
  await page.getByLabel("Mot de passe").fill(demoPassword(EMAIL));
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
}

test("a long list of members pages, and the session is renewed before the token expires", async ({ page }) => {
  // 25 members in all (the first test added one), added through the API with vif's own token.
  const token = execFileSync(
    "go", ["run", "./cmd/vif", "token", "--role", "coordinator", "--network", "louhannais", "--data-dir", process.env.VIF_DATA_DIR ?? ""],
    { cwd: join(process.cwd(), ".."), encoding: "utf8" },
  ).trim();
  const orgs = await (await fetch(url("/v1/organisations?pageSize=1"), { headers: { Authorization: `Bearer ${token}` } })).json();
  const organisation: string = orgs.organisations[0].name;
  for (let i = 1; i <= 24; i++) {
    const r = await fetch(url("/v1/networks/louhannais/members"), {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ organisation, displayName: `Membre ${String(i).padStart(2, "0")}`, domains: ["DOMAIN_RIGHTS"] }),
    });
    expect(r.status, await r.text()).toBe(200);
  }

  const refreshes: string[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith(process.env.VIF_AUTH_URL + "/oauth/token") && /grant_type=refresh_token/.test(r.postData() ?? "")) refreshes.push(r.url());
  });
  await page.goto(url("/membres"));
  await signIn(page);
  const table = page.getByRole("table", { name: "Membres du réseau" });
  await expect(table.locator("tbody tr")).toHaveCount(20);
  const pager = page.getByRole("navigation", { name: "Pages des membres" });
  await expect(pager).toContainText("Page 1");
  await pager.getByRole("button", { name: "Page suivante" }).click();
  await expect(pager).toContainText("Page 2");
  await expect(table.locator("tbody tr")).toHaveCount(5);
  await expect(pager.getByRole("button", { name: "Page suivante" })).toBeDisabled();

  // Nine and a half minutes later (the access token lasts ten), the console has used its refresh
  // token, and its calls still go through.
  // (The fake clock also stops animation frames, which Playwright's actionability checks wait
  // for: the click after it is forced.)
  expect(refreshes).toEqual([]);
  await page.clock.install();
  await page.clock.fastForward("09:30");
  await expect.poll(() => refreshes.length, { timeout: 15_000 }).toBeGreaterThan(0);
  await pager.getByRole("button", { name: "Page précédente" }).click({ force: true });
  await expect(table.locator("tbody tr")).toHaveCount(20);
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
});
