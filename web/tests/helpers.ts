// What every console test does: open a page of the running instance, collect what its
// Content-Security-Policy refused and what the browser logged as an error, run axe, take a
// screenshot for the issue note (outside the repo: VIF_SCREENS, default /tmp/vif-screens).
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const SCREENS = process.env.VIF_SCREENS ?? "/tmp/vif-screens";

export function url(path: string): string {
  const base = process.env.VIF_CONSOLE_URL;
  if (!base) throw new Error("VIF_CONSOLE_URL is not set: run through playwright.config.ts");
  return base + path;
}

/** Records CSP violations and page errors; call before the first navigation. */
export async function watch(page: Page): Promise<{ violations: string[]; errors: string[] }> {
  const seen = { violations: [] as string[], errors: [] as string[] };
  await page.exposeFunction("__vifCSP", (v: string) => seen.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __vifCSP: (v: string) => void }).__vifCSP(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[13]/.test(m.text())) seen.errors.push(m.text());
  });
  return seen;
}

/** Axe on the page as it is now: no serious or critical violation. */
export async function axe(page: Page, name: string) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `axe on ${name}`,
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
}
