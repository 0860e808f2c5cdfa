// Builds the console into ../gateway/console, which the gateway embeds and serves at /: the Go
// binary then needs no Node. `make web` runs this from the lock file; the output is committed and
// `make check-web` fails when it is stale.
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig({
  plugins: [svelte()],
  base: "/",
  build: {
    outDir: "../gateway/console",
    emptyOutDir: true,
    // No data: URIs for fonts and images: every file is served by the gateway under its own name.
    assetsInlineLimit: 0,
    sourcemap: false,
    // The module preload polyfill would be the only script not loaded from a file of ours.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});
