// The admin publishes a year's figures from the statistics page (admin@demo.vif.test): a report
// the public does not see until then, the confirmation, the year's list of publications, the
// refusal of a publication with nothing new in French; then the public sees the figures. Each
// attempt takes a year nobody has published yet (a retry too), so that its publication is the
// year's first: the public sees exactly what was sent. (A later publication may hide a figure
// that changed: the difference would give a network's part away.)
import { expect, test } from "@playwright/test";
import { axe, screenshot, url, watch } from "./helpers";
import { apiAs, signInAt } from "./fleetadm";

test.describe.configure({ timeout: 180_000 });

const NETWORK = "clunisois";

/** The first year from 2001 with no publication (the seed's years are later). */
async function unpublishedYear(): Promise<string> {
  for (let y = 2001; y < 2020; y++) {
    const r = await fetch(url(`/v1/years/${y}/releases`));
    expect(r.status).toBe(200);
    if (((await r.json()).releases ?? []).length === 0) return String(y);
  }
  throw new Error("every year from 2001 to 2019 is published");
}

/** The public's (no token) yearly victims of the département for year: its figure. */
async function publicVictims(year: string): Promise<{ value?: string; hidden?: boolean }> {
  const r = await fetch(url(`/v1/networks/-/series?granularity=GRANULARITY_YEAR&startPeriod=${year}&endPeriod=${year}`));
  expect(r.status).toBe(200);
  const s = await r.json();
  return s.periods[0].figures.victimsSupported ?? {};
}

test("the admin publishes a year's figures and the public then sees them", async ({ page }) => {
  const seen = await watch(page);
  const year = await unpublishedYear();
  const victims = String(40 + (Date.now() % 50));
  await apiAs("admin", "POST", `/v1/networks/${NETWORK}/reports`, { period: year, counts: { victimsSupported: victims } });
  expect(await publicVictims(year)).toEqual({}); // not published yet: no figure, not even hidden

  await signInAt(page, "/statistiques", "admin@demo.vif.test");
  const section = page.getByRole("region", { name: "Publication des chiffres" });
  await section.getByLabel("Année").selectOption(year);
  const publications = section.getByRole("table", { name: `Publications de ${year}` });
  await expect(publications).toHaveCount(0);
  await section.getByRole("button", { name: `Publier les chiffres de ${year}` }).click();
  await expect(section.getByText(`Publier les chiffres de ${year} tels qu’ils sont maintenant ?`)).toBeVisible();
  await axe(page, "/statistiques, publication to confirm");
  await section.getByRole("button", { name: "Confirmer la publication" }).click();
  await expect(section.getByText(`Les chiffres de ${year} sont publiés : publication n° 1.`)).toBeVisible();
  await expect(publications.locator("tbody tr")).toHaveCount(1);
  await expect(publications.locator("tbody tr").last().locator("th")).toHaveText("1");
  await expect(publications.locator("tbody tr").last().locator("td")).toContainText(/\d{4}/);
  await screenshot(page, "admin-10-publication");

  // Nothing new since: refused, in French, and nothing is published.
  await section.getByRole("button", { name: `Publier les chiffres de ${year}` }).click();
  await section.getByRole("button", { name: "Confirmer la publication" }).click();
  await expect(section.getByRole("alert")).toHaveText("Rien n’a changé depuis la dernière publication de cette année : il n’y a rien de nouveau à publier.");
  await expect(publications.locator("tbody tr")).toHaveCount(1);
  await axe(page, "/statistiques, nothing to publish");

  // The public sees the published figures: the département's are the network's, above the threshold.
  expect(await publicVictims(year)).toEqual({ value: victims });
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.goto(url("/statistiques"));
  await expect(page.getByRole("region", { name: "Publication des chiffres" })).toHaveCount(0);

  expect(seen.violations).toEqual([]);
  expect(seen.errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
});
