// Copies the pinned Swagger UI build (npm swagger-ui-dist, see package-lock.json) into the
// gateway, which embeds it and serves the API reference at /docs: no CDN, the machine may be
// offline. Run by `make web`; the copies are committed and `make check-web` fails when they are stale.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const from = join(web, "node_modules", "swagger-ui-dist");
const to = join(web, "..", "gateway", "apidocs", "vendor");
mkdirSync(to, { recursive: true });
for (const f of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"]) {
  copyFileSync(join(from, f), join(to, f));
}
const { version } = JSON.parse(readFileSync(join(from, "package.json"), "utf8"));
console.log(`swagger-ui-dist ${version} copied to gateway/apidocs/vendor`);
