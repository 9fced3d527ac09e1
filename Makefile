# Partnerkit — `make run` starts the server on an embedded SQLite file,
# `make test` runs every check and test. See README.md.

GO              ?= go
STATICCHECK     ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
PARTNERKIT_ADDR ?= 127.0.0.1:8080
PARTNERKIT_DB   ?= partnerkit.db
BENCHTIME       ?= 1s
FUZZTIME        ?= 30s
BENCHSTAT       ?= golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
# The OpenAPI linter, pinned; npx fetches it from the npm registry.
REDOCLY         ?= @redocly/cli@2.77.0
# openapi-typescript and the TypeScript compiler that check its output, pinned likewise.
OPENAPI_TS      ?= openapi-typescript@7.13.0
TYPESCRIPT      ?= typescript@5.9.3
# VERSION is stamped into the binary (`partnerkit version`): the git tag or
# commit, "-dirty" with local changes; "dev" outside a git checkout.
VERSION         ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS         := -X main.version=$(VERSION)

# PostgreSQL tests run when a server answers on the local port (or when the
# caller sets PARTNERKIT_TEST_POSTGRES itself); each test creates and drops
# its own database.
PARTNERKIT_TEST_POSTGRES ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable')
export PARTNERKIT_TEST_POSTGRES
export PARTNERKIT_ADDR PARTNERKIT_DB PARTNERKIT_ADMIN_EMAIL PARTNERKIT_ADMIN_PASSWORD

WASM := app/cmd/partnerkit/web/app.wasm
# WASM_FLAGS build app.wasm and the minimal app alike: stripped, and every
# package but the runtime's core (runtime, internal/runtime, sync) without
# inlining. Go's WebAssembly code for a call is large and each inlined call
# also leaves its inline tree in the binary's tables: inlining copied
# go-app's Context.Dispatch, Compo.ValueTo and If closures into every
# component (about 50 KB gzip, measured), and across the other packages it
# cost app.wasm about 50 KB gzip more; the UI is not hot code, the
# runtime's allocator and maps are and keep theirs.
WASM_FLAGS := -trimpath -ldflags="-s -w" -gcflags=all=-l -gcflags=runtime= -gcflags=internal/runtime/...= -gcflags=sync/...=
# WASM_BUDGET is app.wasm's size budget: its gzip size at most this many
# times the minimal go-app app's, built the same way (make wasm-size fails
# above it; .ci/run checks it).
WASM_BUDGET := 1.25

.PHONY: load wasm wasm-size wasm-minimal e2e-tools test-e2e run build test fmt-check vet staticcheck check-deps unit openapi-check bench bench-observe fuzz fmt clean

## run: build and start the server on $(PARTNERKIT_DB) at $(PARTNERKIT_ADDR)
run: build
	./bin/partnerkit version
	./bin/partnerkit serve

## wasm: the PWA compiled to WebAssembly, stripped, with .gz and .br beside it
wasm:
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -o $(WASM) ./app/cmd/partnerkit
	$(GO) run ./internal/tools/precompress $(WASM)

## wasm-size: app.wasm's sizes next to a minimal go-app v10 app built the same way
wasm-size: wasm wasm-minimal
	$(GO) run ./internal/tools/wasmsize -budget $(WASM_BUDGET) bin/minimal.wasm $(WASM)

## wasm-minimal: the minimal go-app v10 app (internal/tools/minimalapp) as bin/minimal.wasm, built
## like app.wasm, with .gz and .br beside it (the browser tests load it as the floor of this stack);
## rebuilt when its source, go.mod or this Makefile change
wasm-minimal: bin/minimal.wasm.br

bin/minimal.wasm.br: $(wildcard internal/tools/minimalapp/*.go) go.mod go.sum Makefile
	@mkdir -p bin
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -o bin/minimal.wasm ./internal/tools/minimalapp
	$(GO) run ./internal/tools/precompress bin/minimal.wasm

## e2e-tools: the browser tests' npm packages (axe-core, Lighthouse), pinned by
## app/e2e/testdata/npm/package-lock.json, installed into bin/npm
e2e-tools:
	@mkdir -p bin/npm
	cp app/e2e/testdata/npm/package.json app/e2e/testdata/npm/package-lock.json app/e2e/testdata/npm/lighthouse.mjs bin/npm/
	npm install --prefix bin/npm --no-audit --no-fund --loglevel=error

## build: the server binary in bin/, with the PWA embedded and $(VERSION) stamped
build: wasm
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/partnerkit ./app/cmd/partnerkit

## test: gofmt, vet, staticcheck, dependency direction, race tests on every store, the OpenAPI contract
test: fmt-check vet staticcheck check-deps unit openapi-check

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/client/...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

check-deps:
	bash .ci/check-deps

unit:
	@if [ -z "$$PARTNERKIT_TEST_POSTGRES" ]; then echo "note: PostgreSQL not reachable, postgres subtests will skip"; fi
	$(GO) test -race -count=1 -timeout 30m ./...

## openapi-check: the OpenAPI document as a contract (the unit tests validate it with kin-openapi,
## formats included, and every API test's answer against it): redocly lint with app/api/redocly.yaml,
## no problem allowed; TypeScript types generated by openapi-typescript that compile (tsc --strict)
## with internal/tools/openapi/ts/check.ts, which uses them; and a client generated by oapi-codegen
## (pinned in TestGeneratedClient) that runs the seed-001 story against a live server
openapi-check:
	@mkdir -p bin/ts
	$(GO) run ./internal/tools/openapi -o bin/openapi.json
	npx --yes $(REDOCLY) lint --config app/api/redocly.yaml --max-problems 1000 bin/openapi.json
	cp internal/tools/openapi/ts/check.ts bin/ts/
	npx --yes $(OPENAPI_TS) bin/openapi.json -o bin/ts/openapi.d.ts
	npx --yes -p $(TYPESCRIPT) tsc --noEmit --strict --exactOptionalPropertyTypes --noUncheckedIndexedAccess \
		--noUnusedLocals --target es2022 --module es2022 --moduleResolution bundler bin/ts/check.ts
	PARTNERKIT_OAPI_CODEGEN=1 $(GO) test -count=1 -run '^TestGeneratedClient$$' ./app/api/

## test-e2e: the PWA in headless Chromium (Debian's chromium package), driven by chromedp;
## TestBrowserAccessibility runs axe-core and Lighthouse (e2e-tools) and measures load times
test-e2e: wasm wasm-minimal e2e-tools
	PARTNERKIT_E2E=1 $(GO) test -count=1 -v -run 'TestBrowser' ./app/e2e/

## fuzz: each fuzz target of the API for $(FUZZTIME) (JSON bodies, list queries and path
## values through the real handler on the memory store and SQLite; any 5xx or panic fails)
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzJSONBodies$$' -fuzztime $(FUZZTIME) ./app/api/
	$(GO) test -run '^$$' -fuzz '^FuzzListQueries$$' -fuzztime $(FUZZTIME) ./app/api/

## load: the load harness: the server on a fresh SQLite database with
## 100,000 partners, each workload at -c 32 for 15 s (LOAD_ARGS adds flags,
## e.g. LOAD_ARGS='-hold 5m' for the open-loop hold, '-db postgres://…')
load: build
	$(GO) run ./internal/tools/load -bin bin/partnerkit $(LOAD_ARGS)

## bench: every benchmark (BenchmarkDirectory seeds 100,000 partners once)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) ./...

## bench-observe: the overhead of metrics and tracing (app/observe) on
## BenchmarkAPIListPartners, off and on in one run, through benchstat
## (observe=interleaved alternates them request by request: its on/off is
## the steadier figure on a shared machine)
bench-observe:
	@mkdir -p bin
	$(GO) test -run '^$$' -bench 'BenchmarkAPIListPartners/api=sqlite/observe=' -benchmem -count 5 ./app/api/ | tee bin/observe.bench
	$(GO) run $(BENCHSTAT) -col /observe bin/observe.bench

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
