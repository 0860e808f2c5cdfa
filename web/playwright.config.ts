// The console's browser tests: Debian's Chromium (Playwright cannot download its own here) against
// a running embedded default that tests/global-setup.ts starts with `go run ./cmd/vif serve`.
import { defineConfig, devices } from "@playwright/test";

export default defineConfig({
  testDir: "tests",
  testMatch: "*.spec.ts",
  globalSetup: "./tests/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  // One retry, reported as "flaky" in the list: the expired-session journey (coordination.spec.ts)
  // runs under Playwright's fake clock, and on a loaded machine its « Se reconnecter » button was
  // seen re-rendered for minutes (detached at each try) once in four runs; a retry is a fresh page.
  retries: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.VIF_CONSOLE_URL,
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    },
  },
  projects: [
    { name: "bureau", use: { ...devices["Desktop Chrome"], channel: undefined }, testIgnore: "phone.spec.ts" },
    { name: "telephone", use: { ...devices["Pixel 7"], channel: undefined }, testMatch: "phone.spec.ts" },
  ],
});
