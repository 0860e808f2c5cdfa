// Starts the embedded default (`go run ./cmd/vif serve`) on free ports with a fresh data
// directory, waits for /healthz, and gives the tests its URL (VIF_CONSOLE_URL) and a reader's
// token (VIF_READER_TOKEN, for the page a signed-in professional sees), its built-in OpenID
// provider on a free port too (VIF_AUTH_URL) and its data directory (VIF_DATA_DIR, where the demo
// accounts' passwords are). The returned function stops it and removes the data directory.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), "vif-web-"));
  const port = await freePort();
  const authPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, "vif.log");
  const log = openSync(logFile, "a");
  const vif = spawn(
    "go",
    ["run", "./cmd/vif", "serve", "--data-dir", join(dir, "data"), "--http-addr", `127.0.0.1:${port}`,
      "--grpc-addr", "127.0.0.1:0", "--nats-addr", "127.0.0.1:0", "--admin-addr", "",
      "--auth-addr", `127.0.0.1:${authPort}`],
    { cwd: repo, stdio: ["ignore", log, log], detached: true },
  );
  const stop = () => {
    try {
      if (vif.pid) process.kill(-vif.pid, "SIGTERM"); // go run and the vif it started
    } catch {
      // already gone
    }
  };

  const deadline = Date.now() + 180_000;
  for (;;) {
    if (vif.exitCode !== null) {
      stop();
      throw new Error(`vif serve exited (${vif.exitCode}):\n${readFileSync(logFile, "utf8").slice(-4000)}`);
    }
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`vif serve did not become healthy within 180 s:\n${readFileSync(logFile, "utf8").slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  process.env.VIF_CONSOLE_URL = url;
  process.env.VIF_AUTH_URL = `http://127.0.0.1:${authPort}`;
  process.env.VIF_DATA_DIR = join(dir, "data");
  process.env.VIF_READER_TOKEN = execFileSync(
    "go", ["run", "./cmd/vif", "token", "--role", "reader", "--data-dir", join(dir, "data")],
    { cwd: repo, encoding: "utf8" },
  ).trim();

  return async () => {
    stop();
    await new Promise((r) => {
      if (vif.exitCode !== null) return r(undefined);
      const t = setTimeout(() => {
        try {
          if (vif.pid) process.kill(-vif.pid, "SIGKILL");
        } catch {
          // gone
        }
        r(undefined);
      }, 15_000);
      vif.once("exit", () => {
        clearTimeout(t);
        r(undefined);
      });
    });
    // go run may exit before the vif it started has closed its files: wait for the port to close.
    for (let i = 0; i < 60; i++) {
      try {
        await fetch(`${url}/healthz`);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
}
