# The two commands of the README: `make run` (the embedded default) and `make test` (every test of
# every module, on a fresh machine). Tools are pinned and installed into .tools/bin.

SHELL := /bin/bash
TOOLS := $(CURDIR)/.tools/bin
export PATH := $(TOOLS):$(PATH)

BUF_VERSION            := v1.75.0
PROTOC_GEN_GO_VERSION  := v1.36.12
PROTOC_GEN_GRPC_VERSION := v1.6.2
GRPC_GATEWAY_VERSION   := v2.34.0
# gnostic's protoc-gen-openapi: OpenAPI 3.0 with the real resource paths (/v1/networks/{network}).
GNOSTIC_VERSION        := v0.7.1
STATICCHECK_VERSION    := v0.8.2

# Every module of go.work, as go test accepts its packages from the workspace root: ./... for the
# root module, ./<dir>/... for the others. A module added to go.work is tested without more ado.
MODULE_DIRS := $(shell go list -m -f '{{.Dir}}')
PACKAGES := $(foreach d,$(MODULE_DIRS),$(if $(filter $(CURDIR),$(d)),./...,./$(patsubst $(CURDIR)/%,%,$(d))/...))

.PHONY: run test test-short bench tools generate check-generated lint vet proto-baseline refdata web check-web test-web

run:
	go run ./cmd/vif

test:
	scripts/test.sh

# The edit-test loop: every module's tests but the end-to-end ones, without the race detector, with
# go's test cache. Not what CI runs: make test is.
test-short: web/node_modules
	go test $(filter-out ./...,$(PACKAGES)) $$(go list ./... | grep -v /e2e)

# The hot-path benchmarks of issue 14, each printing its figure beside its floor measured in the
# same run (PostgreSQL too when VIF_TEST_POSTGRES_DSN is set). Not part of `make test`, which runs
# them once each (-benchtime 1x) so that they cannot rot, all but BENCH_SKIP_ONCE (the yearly
# summary of 100 networks, whose ten publications take minutes; make bench runs it).
# BENCHTIME=5000x for steadier figures.
BENCHTIME ?= 2000x
BENCH_PACKAGES := ./cmd/vif/ ./gateway/ ./platform/auth/ ./platform/outbox/ ./services/directory/internal/adapters/store/ ./services/statistics/internal/app/
BENCH_SKIP_ONCE := DepartementYearlySummary/networks=100
bench:
	go test -run '^$$' -bench . -benchtime $(BENCHTIME) ./cmd/vif/ ./platform/auth/
	go test -run '^$$' -bench . -benchmem -cpu 1 ./gateway/
	go test -run '^$$' -bench . -benchtime $(BENCHTIME) ./services/directory/internal/adapters/store/
	go test -run '^$$' -bench RelayLatency -benchtime 300x ./platform/outbox/
	go test -run '^$$' -bench RelayDrain -benchtime 3x ./platform/outbox/
	go test -run '^$$' -bench DepartementYearlySummary -benchtime 20x -timeout 60m ./services/statistics/internal/app/

print-bench-packages:
	@echo $(BENCH_PACKAGES)

print-bench-skip-once:
	@echo $(BENCH_SKIP_ONCE)

# One go install per module (a single install across modules fails). The versions installed are
# noted in .tools/bin/.versions: when one above changes, every tool is installed again, so that a
# checkout that had the old ones does not generate with them.
TOOL_VERSIONS := $(BUF_VERSION) $(PROTOC_GEN_GO_VERSION) $(PROTOC_GEN_GRPC_VERSION) $(GRPC_GATEWAY_VERSION) $(GNOSTIC_VERSION) $(STATICCHECK_VERSION)
ifneq ($(file < $(TOOLS)/.versions),$(TOOL_VERSIONS))
$(shell rm -rf $(TOOLS))
endif
tools: $(TOOLS)/buf $(TOOLS)/protoc-gen-go $(TOOLS)/protoc-gen-go-grpc $(TOOLS)/protoc-gen-grpc-gateway $(TOOLS)/protoc-gen-openapi $(TOOLS)/staticcheck
	@echo '$(TOOL_VERSIONS)' > $(TOOLS)/.versions

$(TOOLS)/buf:
	GOBIN=$(TOOLS) go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
$(TOOLS)/protoc-gen-go:
	GOBIN=$(TOOLS) go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
$(TOOLS)/protoc-gen-go-grpc:
	GOBIN=$(TOOLS) go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GRPC_VERSION)
$(TOOLS)/protoc-gen-grpc-gateway:
	GOBIN=$(TOOLS) go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)
$(TOOLS)/staticcheck:
	GOBIN=$(TOOLS) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
$(TOOLS)/protoc-gen-openapi:
	GOBIN=$(TOOLS) go install github.com/google/gnostic/cmd/protoc-gen-openapi@$(GNOSTIC_VERSION)

# Rebuilds the third-party protos from the pinned Go modules, then the Go code and the OpenAPI 3
# description from our protos, and the AsyncAPI 3 description of the events (docs/asyncapi.yaml).
# All are committed.
generate: tools
	rm -rf proto/third_party proto/gen/go/vif gateway/openapi
	go run ./tools/protodump -out proto/third_party
	buf generate
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	buf generate --template buf.gen.openapi.yaml -o "$$tmp" && mkdir -p gateway/openapi && \
	go run ./cmd/openapigen -in "$$tmp/openapi/openapi.yaml" -out gateway/openapi/openapi.json
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	buf build --as-file-descriptor-set -o "$$tmp/vif.binpb" --path proto/vif && \
	go run ./cmd/asyncapigen -in "$$tmp/vif.binpb" -out docs/asyncapi.yaml

# Fails when the committed generated files differ from what `make generate` produces.
check-generated: generate
	@if [ -n "$$(git status --porcelain -- proto gateway/openapi docs/asyncapi.yaml)" ]; then \
		echo "generated files are stale: run make generate and commit the result" >&2; \
		git status --short -- proto gateway/openapi docs/asyncapi.yaml >&2; git diff --stat -- proto gateway/openapi docs/asyncapi.yaml >&2; exit 1; \
	fi

# What npm builds from its lock file (web/package-lock.json): the TypeScript types of the API
# client (from gateway/openapi/openapi.json), the API reference page's Swagger UI copy, and the
# console (Vite, into gateway/console). All are committed, so that `go run ./cmd/vif` needs no Node.
web:
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent api:types && node scripts/vendor-apidocs.mjs && npm run --silent build

# The npm packages, installed when the lock file changed (the OpenID tests run oidc-provider).
web/node_modules: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error && touch node_modules

# Lints the OpenAPI description (@redocly/cli, zero errors), validates the AsyncAPI description of
# the events (@asyncapi/cli, no error or warning), type-checks the client against the OpenAPI
# description, and fails when what npm builds differs from what is committed.
check-web: web
	cd web && npm run --silent api:lint && npm run --silent asyncapi:validate && npm run --silent typecheck
	@if [ -n "$$(git status --porcelain -- web gateway/apidocs gateway/console)" ]; then \
		echo "front-end builds are stale: run make web and commit the result" >&2; \
		git status --short -- web gateway/apidocs gateway/console >&2; exit 1; \
	fi

# The console's browser tests (Playwright on Debian's Chromium, axe on every page) against an
# embedded default that the tests start with `go run ./cmd/vif serve` on free ports. Screenshots
# of the main pages go to VIF_SCREENS (default /tmp/vif-screens), outside the repo.
test-web: web/node_modules
	cd web && npm run --silent test:browser

# The protos lint, are formatted and break nothing published (buf breaking against the last
# release tag or main~1, or in a clone without that history the committed baseline image:
# scripts/buf-breaking.sh), the Go code is gofmt'd, vetted and passes staticcheck (no check
# turned off), and no function is over 60 lines but the documented algorithms that
# tools/funclen/allow.txt names (issue 15).
lint: tools
	buf lint
	buf format --exit-code --diff --path proto/vif
	scripts/buf-breaking.sh
	gofmt_out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$gofmt_out" ]; then echo "gofmt: $$gofmt_out" >&2; exit 1; fi
	go vet $(PACKAGES)
	staticcheck $(PACKAGES)
	go run ./tools/funclen -allow tools/funclen/allow.txt

vet:
	go vet $(PACKAGES)

# Rewrites the image buf breaking falls back to in a clone without history (scripts/buf-breaking.sh).
# Run it when tagging a release, and commit the result.
proto-baseline: tools
	buf build -o proto/breaking/baseline.binpb

# Regenerates the commune/EPCI snapshot from its pinned npm source.
refdata:
	scripts/refdata.sh

print-packages:
	@echo $(PACKAGES)
