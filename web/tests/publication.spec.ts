// The admin publishes a year's figures from the statistics page (admin@demo.vif.test): a report
// the public does not see until then, the confirmation, the year's list of publications, the
// refusal of a publication with nothing new in French; then the public sees the figures. Each
// run submits a fresh count for 2025, so that there is always something to publish.
import { expect, test } from "@playwright/test";
import { axe, screenshot, url, watch } from "./helpers";
import { apiAs, signInAt } from "./fleetadm";

test.describe.configure({ timeout: 180_000 });

const YEAR = "2025";
const NETWORK = "clunisois";

/** The public's (no token) yearly victims of the département for YEAR: a value, or undefined. */
async function publicVictims(): Promise<string | undefined> {
  const r = await fetch(url(`/v1/networks/-/series?granularity=GRANULARITY_YEAR&startPeriod=${YEAR}&endPeriod=${YEAR}`));
  expect(r.status).toBe(200);
  const s = await r.json();
  return s.periods[0].figures.victimsSupported.value;
}

test("the admin publishes a year's figures and the public then sees them", async ({ page }) => {
  const seen = await watch(page);
  const victims = String(40 + (Date.now() % 50));
  await apiAs("admin", "POST", `/v1/networks/${NETWORK}/reports`, { period: YEAR, counts: { victimsSupported: victims } });
  const before = await publicVictims();
  expect(before).not.toBe(victims); // not published yet: nothing, or an earlier publication's figure

  await signInAt(page, "/statistiques", "admin@demo.vif.test");
  const section = page.getByRole("region", { name: "Publication des chiffres" });
  await section.getByLabel("Année").selectOption(YEAR);
  const publications = section.getByRole("table", { name: `Publications de ${YEAR}` });
  const earlier = (await publications.count()) ? await publications.locator("tbody tr").count() : 0;
  await section.getByRole("button", { name: `Publier les chiffres de ${YEAR}` }).click();
  await expect(section.getByText(`Publier les chiffres de ${YEAR} tels qu’ils sont maintenant ?`)).toBeVisible();
  await axe(page, "/statistiques, publication to confirm");
  await section.getByRole("button", { name: "Confirmer la publication" }).click();
  await expect(section.getByText(`Les chiffres de ${YEAR} sont publiés : publication n° ${earlier + 1}.`)).toBeVisible();
  await expect(publications.locator("tbody tr")).toHaveCount(earlier + 1);
  await expect(publications.locator("tbody tr").last().locator("th")).toHaveText(String(earlier + 1));
  await expect(publications.locator("tbody tr").last().locator("td")).toContainText(/\d{4}/);
  await screenshot(page, "admin-10-publication");

  // Nothing new since: refused, in French, and nothing is published.
  await section.getByRole("button", { name: `Publier les chiffres de ${YEAR}` }).click();
  await section.getByRole("button", { name: "Confirmer la publication" }).click();
  await expect(section.getByRole("alert")).toHaveText("Rien n’a changé depuis la dernière publication de cette année : il n’y a rien de nouveau à publier.");
  await expect(publications.locator("tbody tr")).toHaveCount(earlier + 1);
  await axe(page, "/statistiques, nothing to publish");

  // The public sees the published figures.
  expect(await publicVictims()).toBeDefined();
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.goto(url("/statistiques"));
  await expect(page.getByRole("region", { name: "Publication des chiffres" })).toHaveCount(0);

  expect(seen.violations).toEqual([]);
  expect(seen.errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
});
