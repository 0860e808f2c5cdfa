// The console on a phone: the header folds into the DSFR's menu button (its script runs under the
// console's policy), and the figures stay readable.
import { expect, test } from "@playwright/test";
import { axe, screenshot, url, watch } from "./helpers";

test("on a phone, the menu opens and leads to the statistics", async ({ page }) => {
  const seen = await watch(page);
  await page.goto(url("/"));
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toBeVisible();
  await screenshot(page, "06-telephone-accueil");
  await menu.click();
  const nav = page.getByRole("navigation", { name: "Menu principal" });
  await expect(nav).toBeVisible();
  await axe(page, "téléphone, menu ouvert");
  await nav.getByRole("link", { name: "Statistiques" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Les victimes accompagnées en Saône-et-Loire");
  await expect(page.getByRole("img", { name: /Saône-et-Loire/ })).toBeVisible();
  // The page does not scroll sideways: a wide table scrolls inside its own frame.
  const sideways = await page.evaluate(() => {
    scrollTo(300, scrollY);
    return scrollX;
  });
  expect(sideways).toBe(0);
  const frame = page.locator(".fr-table__container").last();
  expect(await frame.evaluate((e) => e.scrollWidth > e.clientWidth && e.getBoundingClientRect().right <= innerWidth)).toBe(true);
  await axe(page, "téléphone, statistiques");
  await screenshot(page, "07-telephone-statistiques");
  expect(seen.violations).toEqual([]);
  expect(seen.errors).toEqual([]);
});
