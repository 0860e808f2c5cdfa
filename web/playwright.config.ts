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
  retries: 0,
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
