# Doorstep: `make run` and `make test` do all set-up themselves (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := run

# Debian's rustc 1.96 builds both halves: the front end needs it for -Z build-std (rustup
# cannot fetch the wasm32 std here), and one compiler for both keeps one set of artifacts.
export RUSTC := /usr/bin/rustc
export RUSTC_BOOTSTRAP := 1
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/.tools/binaryen/node_modules/.bin:$(CURDIR)/.tools/esbuild/node_modules/.bin:$(PATH)
export CARGO_TERM_COLOR := never

NEXTEST := cargo nextest run --no-fail-fast -p app -p server -p migrations
PG_URL ?= postgres://doorstep:doorstep@127.0.0.1:5432/postgres

.PHONY: run setup build release test test-unit test-sqlite test-postgres test-e2e postgres crash-test bench soak demo fuzz clean

## run: install what is missing, build, and serve on http://127.0.0.1:3000 (SQLite in data/)
run: build
	./target/debug/doorstep serve

setup:
	@./scripts/setup.sh

## build: the debug server binary and front end (target/debug/doorstep, target/site)
build: setup
	cargo leptos build --split

## release: optimised server and the smallest front end (target/release/doorstep, target/site)
release:
	@./scripts/setup.sh --release
	cargo leptos build --release --precompress --split
	./scripts/size-report.sh

## demo: a sample agency in data/ (prints the admin's log-in)
demo: build
	./target/debug/doorstep demo

## test: every test — unit, integration on SQLite and PostgreSQL, Playwright in Chromium
test: export NEXTEST := $(NEXTEST)
test: export PG_URL := $(PG_URL)
test:
	@./scripts/setup.sh --e2e --postgres
	@./scripts/test.sh

postgres:
	@./scripts/postgres.sh

## crash-test: the long crash-safety run (CRASH_ROUNDS kills, default 50) on SQLite, then PostgreSQL
crash-test:
	@./scripts/setup.sh --postgres
	@./scripts/postgres.sh
	DOORSTEP_CRASH_ROUNDS=$(or $(CRASH_ROUNDS),50) cargo nextest run -p server --no-capture -E 'test(every_answered_lead)'
	DOORSTEP_CRASH_ROUNDS=$(or $(CRASH_ROUNDS),50) DOORSTEP_TEST_DATABASE_URL=$(PG_URL) cargo nextest run -p server --no-capture -E 'test(every_answered_lead)'

## bench: every benchmark on a release build, written to docs/BENCHMARKS.md (BENCH_DEALS, BENCH_PG_REPORTS=1)
bench:
	@./scripts/setup.sh --e2e --postgres --release --lighthouse
	@./scripts/bench.sh

## soak: 30 minutes of leads at 200/s with pages and reminders, on a release build; each
## minute's figures into docs/soak.md (SOAK_MINUTES, SOAK_RATE)
soak: release
	@./scripts/soak.sh $(or $(SOAK_MINUTES),30) $(or $(SOAK_RATE),200)

## fuzz: each fuzz target (chat exports, zips, CSV imports, webhook bodies) for FUZZ_SECONDS
fuzz:
	./scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/test-results
