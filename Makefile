# Lethe: `make serve` and `make test` install what they need (pinned) and skip what is already there.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/lethe/target
# node_modules/.bin first: trunk takes binaryen's wasm-opt 132 from there. Once: a recursive make inherits it, and a
# PATH that changed between two cargo commands makes build scripts that watch it (pyo3's) run again.
ifeq ($(findstring $(CURDIR)/node_modules/.bin:,$(PATH)),)
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
endif
# The Python that pyo3's build script asks about the interpreter (the extension is abi3): named, so that it does not
# search PATH, and the native build stays fresh from one step and one run to the next.
ifndef PYO3_PYTHON
export PYO3_PYTHON := $(shell command -v python3)
endif
# The Python of the native tests' external oracles (scikit-learn), prepared by scripts/bootstrap.sh python.
export LETHE_VENV ?= $(HOME)/.cache/lethe/venv
export LETHE_PYTHON ?= $(LETHE_VENV)/bin/python
PORT ?= 8080
# Each step of `make test` says when it starts and how long it took (scripts/step.sh); the figures go here.
export LETHE_TIMINGS ?= $(CURDIR)/target/timings.tsv
STEP := scripts/step.sh
# clippy-driver as the workspace's rustc wrapper (what `cargo clippy` does, with a build instead of a check): the
# native test build is then also the native lint, and clippy's check of burn is not compiled a second time
# (docs/build.md §8). Dependencies are compiled by plain rustc, as in any build.
ifndef CLIPPY_DRIVER
CLIPPY_DRIVER := $(shell rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
endif
LINTED := RUSTC_WORKSPACE_WRAPPER=$(CLIPPY_DRIVER) CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# Everything native in one cargo command (the tests, the CLI, the Python extension: docs/build.md §10), and its tests.
NATIVE_BUILD := env $(LINTED) cargo build --workspace --all-targets
NATIVE_TESTS := env $(LINTED) cargo test --workspace
EXPERIMENT ?= examples/moons-mlp.json

.PHONY: serve build tools browser-tools python-tools test test-native test-python test-e2e bench bench-python bench-flower flower-demo cli lint clean

## Build the release site and serve it at http://127.0.0.1:$(PORT)
serve: build
	@echo "Lethe at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	python3 -m http.server $(PORT) --bind 127.0.0.1 -d dist

tools:
	@$(STEP) "install: wasm target, wasm-bindgen-cli, trunk, npm packages" scripts/bootstrap.sh web

browser-tools:
	scripts/bootstrap.sh browser

python-tools:
	scripts/bootstrap.sh python

## The release build of the page and the two workers into dist/ (trunk builds the three at once; cargo's lines say
## which crate is compiling)
build: tools
	@$(STEP) "release build (trunk: page, CPU worker, WebGPU worker)" trunk build --release

## Every test: formatting, the layers, native tests (engine, protocol, CLI, charts) built with clippy as the workspace's
## rustc wrapper (the build is the native lint), the Python package's tests, the release build with the same wrapper
## (the wasm32 lint of the page and both workers), then the browser end-to-end tests and the bench's smoke run. Each
## step says when it starts and how long it took; the last lines list them all (docs/build.md).
test:
	@rm -f $(LETHE_TIMINGS)
	@$(STEP) "install: tools, Chromium, npm and Python packages" scripts/bootstrap.sh all
	@$(STEP) "fmt" cargo fmt --all --check
	@$(STEP) "layers" python3 scripts/layers.py
	@$(STEP) "native: build + clippy" $(NATIVE_BUILD)
	@$(STEP) "native: tests" $(NATIVE_TESTS)
	@$(MAKE) --no-print-directory test-python LETHE_TIMINGS=$(LETHE_TIMINGS)
	@$(STEP) "release build + wasm32 clippy (trunk: page, CPU worker, WebGPU worker)" env $(LINTED) trunk build --release
	@$(STEP) "browser tests" node --test --test-concurrency=1 tests/
	@$(STEP) "bench smoke" env SMOKE=1 LETHE_CLI=$(CARGO_TARGET_DIR)/debug/lethe node bench/bench.mjs
	@scripts/timings.sh $(LETHE_TIMINGS)

test-native: python-tools
	$(NATIVE_TESTS)

## The Python package (crates/python) against the test build: its extension module and the CLI are the ones
## `cargo build --workspace --all-targets` built (one feature set, so burn is compiled once for every native use; docs/build.md §10),
## installed into the oracles' environment as `maturin develop` would, then its pytest suite and Flower's.
test-python: python-tools
	@$(STEP) "python: native build up to date" $(NATIVE_BUILD) -q
	@$(STEP) "python: extension" scripts/python-dev.sh $(CARGO_TARGET_DIR)/debug/lib_engine.so
	@$(STEP) "python: tests" env LETHE_CLI=$(CARGO_TARGET_DIR)/debug/lethe $(LETHE_PYTHON) -m pytest -q --durations=8 crates/python/tests integrations/flower/tests

## The federation on Flower: a SuperLink and SuperNodes as processes on 127.0.0.1, FedAvg over Lethe's model, then
## client 0 forgotten three ways; the last line printed is the report's path (the page imports it). FLOWER_EXPERIMENT picks another.
FLOWER_EXPERIMENT ?= examples/moons-federated-flower.json
flower-demo: python-tools
	VIRTUAL_ENV=$(LETHE_VENV) $(LETHE_VENV)/bin/maturin develop -q -m crates/python/Cargo.toml
	$(LETHE_PYTHON) integrations/flower/federation.py $(FLOWER_EXPERIMENT) --unlearn-client 0

test-e2e: browser-tools
	node --test --test-concurrency=1 tests/

## Benchmarks in headless Chromium (release build): three training workloads on the CPU and on WebGPU
## (SwiftShader here), each side by side with TensorFlow.js 4.22 (wasm, cpu, webgpu) on the same split and initial
## weights, wasm sizes, time to interactive, longest task, peak heap. Writes docs/bench.json and the side-by-side
## block of docs/BENCHMARKS.md.
bench: build browser-tools
	REPS=$${REPS:-3} GPU_REPS=$${GPU_REPS:-1} node bench/bench.mjs
	$(MAKE) bench-python

## The Python package against the CLI on the same unlearning work, both release builds (docs/BENCHMARKS.md, "Python")
bench-python: python-tools
	VIRTUAL_ENV=$(LETHE_VENV) $(LETHE_VENV)/bin/maturin develop -q --release -m crates/python/Cargo.toml
	cargo build -q --release -p lethe-cli
	LETHE_CLI=$(CARGO_TARGET_DIR)/release/lethe $(LETHE_PYTHON) bench/python.py

## The digits federation (10 clients, 20 rounds) on Flower and in the simulation, release builds (docs/BENCHMARKS.md,
## "Flower")
bench-flower: python-tools
	VIRTUAL_ENV=$(LETHE_VENV) $(LETHE_VENV)/bin/maturin develop -q --release -m crates/python/Cargo.toml
	$(LETHE_PYTHON) bench/flower.py

## Run an experiment with the CLI: make cli EXPERIMENT=examples/digits-mlp.json
cli:
	cargo run --release -q -p lethe-cli -- run $(EXPERIMENT)

lint:
	cargo fmt --all --check
	python3 scripts/layers.py
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p lethe-worker -p lethe-web --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p lethe-worker-gpu --target wasm32-unknown-unknown -- -D warnings

clean:
	rm -rf dist
