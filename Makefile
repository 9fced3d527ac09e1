# Partnerkit — `make run` starts the server on an embedded SQLite file,
# `make test` runs every check and test. See README.md.

GO              ?= go
STATICCHECK     ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
PARTNERKIT_ADDR ?= 127.0.0.1:8080
PARTNERKIT_DB   ?= partnerkit.db
BENCHTIME       ?= 1s
FUZZTIME        ?= 30s

# PostgreSQL tests run when a server answers on the local port (or when the
# caller sets PARTNERKIT_TEST_POSTGRES itself); each test creates and drops
# its own database.
PARTNERKIT_TEST_POSTGRES ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable')
export PARTNERKIT_TEST_POSTGRES
export PARTNERKIT_ADDR PARTNERKIT_DB PARTNERKIT_ADMIN_EMAIL PARTNERKIT_ADMIN_PASSWORD

WASM := app/cmd/partnerkit/web/app.wasm
# WASM_FLAGS build app.wasm and the minimal app alike: stripped, and our own
# packages without inlining. Go's WebAssembly code for a call is large, and
# inlining copied go-app's Context.Dispatch, Compo.ValueTo and If closures
# into every component (about 50 KB gzip, measured); the UI is not hot code.
WASM_FLAGS := -trimpath -ldflags="-s -w" -gcflags='github.com/partnerkit/partnerkit/...=-l'

.PHONY: load wasm wasm-size test-e2e run build test fmt-check vet staticcheck check-deps unit bench fuzz fmt clean

## run: build and start the server on $(PARTNERKIT_DB) at $(PARTNERKIT_ADDR)
run: build
	./bin/partnerkit

## wasm: the PWA compiled to WebAssembly, stripped, with .gz and .br beside it
wasm:
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -o $(WASM) ./app/cmd/partnerkit
	$(GO) run ./internal/tools/precompress $(WASM)

## wasm-size: app.wasm's sizes next to a minimal go-app v10 app built the same way
wasm-size: wasm
	GOOS=js GOARCH=wasm $(GO) build $(WASM_FLAGS) -o bin/minimal.wasm ./internal/tools/minimalapp
	$(GO) run ./internal/tools/wasmsize bin/minimal.wasm $(WASM)

## build: the server binary in bin/, with the PWA embedded
build: wasm
	$(GO) build -trimpath -o bin/partnerkit ./app/cmd/partnerkit

## test: gofmt, vet, staticcheck, dependency direction, race tests on every store
test: fmt-check vet staticcheck check-deps unit

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
	$(GO) test -race -count=1 ./...

## test-e2e: the PWA in headless Chromium (Debian's chromium package), driven by chromedp
test-e2e: wasm
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

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
