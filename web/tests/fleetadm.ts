// What the fleet manager's and the admin's browser tests share: signing in with a demo account on
// the built-in provider's login page, a token for a change made behind the page's back (to see a
// stale etag), days relative to today in France, and fresh identifiers so that a test only edits
// records it created.
import { expect, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { url } from "./helpers";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function dataDir(): string {
  const dir = process.env.VIF_DATA_DIR;
  if (!dir) throw new Error("VIF_DATA_DIR is not set: run through playwright.config.ts");
  return dir;
}

export function demoPassword(email: string): string {
  const line = readFileSync(join(dataDir(), "demo-passwords.txt"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(email + "\t"));
  if (!line) throw new Error(`no demo password for ${email}`);
  return line.split("\t")[1] ?? "";
}

/** Opens path, signs in there as email through the provider's login page, and waits to be back. */
export async function signInAt(page: Page, path: string, email: string) {
  await page.goto(url(path));
  await page.getByRole("banner").getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL((u) => u.href.startsWith(process.env.VIF_AUTH_URL ?? "-"));
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel("Mot de passe").fill(demoPassword(email));
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(url(path));
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
}

const tokens = new Map<string, string>();

/** A vif token for role (`vif token`), for a change made outside the page. */
export function tokenFor(role: string): string {
  let t = tokens.get(role);
  if (!t) {
    t = execFileSync("go", ["run", "./cmd/vif", "token", "--role", role, "--data-dir", dataDir()], { cwd: repo, encoding: "utf8" }).trim();
    tokens.set(role, t);
  }
  return t;
}

/** Calls the API as role, outside the page; fails unless it answers 2xx. */
export async function apiAs(role: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(url(path), {
    method,
    headers: { Authorization: `Bearer ${tokenFor(role)}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await r.json()) as Record<string, unknown>;
  expect(r.status, `${method} ${path}: ${JSON.stringify(json)}`).toBeLessThan(300);
  return json;
}

/** The day n days from today in France (negative: before), YYYY-MM-DD. */
export function day(n = 0): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A short random suffix of lowercase letters and digits. */
export function fresh(): string {
  return Math.random().toString(36).slice(2, 8);
}

const PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ";
const VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
const pick = (s: string) => s[Math.floor(Math.random() * s.length)];

/** A random plate of the current format (AA-123-AA). */
export function plate(): string {
  const l = () => pick(PLATE_LETTERS) + pick(PLATE_LETTERS);
  return `${l()}-${String(Math.floor(Math.random() * 900) + 100)}-${l()}`;
}

/** A random VIN (17 characters, no I, O or Q). */
export function vin(): string {
  return Array.from({ length: 17 }, () => pick(VIN_CHARS)).join("");
}

/**
 * Goes to path inside the console, as a link of its own does (History API, no reload): a reload
 * would sign the reader out, since the tokens live in the page's memory only.
 */
export async function visit(page: Page, path: string) {
  await page.evaluate((p) => {
    history.pushState(null, "", p);
    dispatchEvent(new PopStateEvent("popstate"));
  }, path);
  await page.waitForURL(url(path));
}
