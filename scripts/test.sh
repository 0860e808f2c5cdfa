#!/usr/bin/env bash
# Runs every test of every module, as CI does, on a fresh machine: installs the pinned tools,
# checks the generated code is current and the protos lint, starts a private PostgreSQL (from
# Debian's packages when missing) so the contract tests run on both engines, then vets and
# tests every module with the race detector.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }

step "tools"
make --no-print-directory tools

step "generated code is current"
make --no-print-directory check-generated

step "lint (buf lint and format, gofmt, go vet, staticcheck, function length)"
make --no-print-directory lint

step "web: OpenAPI lint, typed client, committed front-end builds"
if ! command -v npm >/dev/null 2>&1; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
make --no-print-directory check-web

# The compose file describes the distributed shape for people with Docker; no engine runs here,
# but the client validates the file where it is installed.
if docker compose version >/dev/null 2>&1; then compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then compose=(docker-compose)
else compose=()
fi
if [ ${#compose[@]} -gt 0 ]; then
	step "docker-compose.yml"
	mkdir -p secrets && created_pub= && created_keys=
	[ -f secrets/auth.pub ] || { touch secrets/auth.pub; created_pub=1; }
	[ -d secrets/nats-keys ] || { go run ./cmd/vif events credentials --data-dir secrets >/dev/null; created_keys=1; }
	"${compose[@]}" -f docker-compose.yml config -q
	[ -z "$created_pub" ] || rm -f secrets/auth.pub
	[ -z "$created_keys" ] || rm -rf secrets/nats-keys
	rmdir secrets 2>/dev/null || true
fi

if [ -z "${VIF_TEST_POSTGRES_DSN:-}" ]; then
	step "private PostgreSQL"
	pgdir=$(mktemp -d "${TMPDIR:-/tmp}/vif-pg.XXXXXX")
	chmod 755 "$pgdir"
	trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
	VIF_TEST_POSTGRES_DSN=$(scripts/postgres.sh start "$pgdir" "${VIF_TEST_POSTGRES_PORT:-55439}")
	export VIF_TEST_POSTGRES_DSN
fi
export VIF_REQUIRE_POSTGRES=1

# The browser tests drive Debian's Chromium (Playwright and chromedp cannot download one here).
if ! command -v chromium >/dev/null 2>&1; then
	step "Chromium for the browser tests"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

step "web: the console in a real browser (Playwright, axe)"
make --no-print-directory test-web

step "test"
go test -race -count=1 -timeout 20m $(make --no-print-directory -s print-packages) "$@"

# Under the race detector the statistics domain's properties draw a few cases each (its linear
# programmes run about twenty times slower there); here they draw their full count.
step "the disclosure properties in full, without the race detector"
go test -count=1 ./services/statistics/internal/domain/ "$@"

step "benchmarks, once each (make bench times them)"
go test -count=1 -run '^$' -bench . -benchtime 1x -skip "$(make --no-print-directory -s print-bench-skip-once)" $(make --no-print-directory -s print-bench-packages)

step "done"
