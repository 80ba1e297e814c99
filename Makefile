# Lethe: `make serve` and `make test` install what they need (pinned) and skip what is already there.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/lethe/target
# node_modules/.bin first: trunk takes binaryen's wasm-opt 132 from there.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# The Python of the native tests' external oracles (scikit-learn), prepared by scripts/bootstrap.sh python.
export LETHE_VENV ?= $(HOME)/.cache/lethe/venv
export LETHE_PYTHON ?= $(LETHE_VENV)/bin/python
PORT ?= 8080
EXPERIMENT ?= examples/moons-mlp.json

.PHONY: serve build tools browser-tools python-tools test test-native test-python test-e2e bench bench-python bench-flower flower-demo cli lint clean

## Build the release site and serve it at http://127.0.0.1:$(PORT)
serve: build
	@echo "Lethe at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	python3 -m http.server $(PORT) --bind 127.0.0.1 -d dist

tools:
	scripts/bootstrap.sh web

browser-tools:
	scripts/bootstrap.sh browser

python-tools:
	scripts/bootstrap.sh python

## The release build of the page and the worker into dist/
build: tools
	trunk build --release

## Every test: formatting and clippy (native and wasm32), native tests (engine, protocol, CLI, charts), the Python
## package's tests, the release build, then the browser end-to-end tests and the bench's smoke run
test: tools browser-tools python-tools lint
	cargo test --workspace
	$(MAKE) test-python
	trunk build --release
	node --test --test-concurrency=1 tests/
	SMOKE=1 node bench/bench.mjs

test-native: python-tools
	cargo test --workspace

## The Python package (crates/python): built by maturin into the oracles' environment (the dev profile and the shared
## target directory, so burn is not compiled again), then its pytest suite against the CLI cargo test built
test-python: python-tools
	VIRTUAL_ENV=$(LETHE_VENV) $(LETHE_VENV)/bin/maturin develop -q -m crates/python/Cargo.toml
	cargo build -q -p lethe-cli
	LETHE_CLI=$(CARGO_TARGET_DIR)/debug/lethe $(LETHE_PYTHON) -m pytest -q crates/python/tests integrations/flower/tests

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
