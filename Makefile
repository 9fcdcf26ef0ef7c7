# session-keeper: one build entry. `make demo` and `make test` install what they need.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

WASM_TARGET := wasm32-unknown-unknown
# The CLI must match the wasm-bindgen crate exactly; Cargo.lock is the source of truth.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/"/,"",$$3); print $$3}' Cargo.lock)
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# The package's wasm is built with the machine image's nightly: `-Zbuild-std` with
# `panic = "immediate-abort"` drops std's panic strings and formatting (see docs/performance.md).
# Stable builds, lints and tests the same crate everywhere else.
NIGHTLY_FLAGS := -Z build-std=std,panic_abort -Z panic-immediate-abort --config 'profile.release.panic="immediate-abort"'
WASM := target/nightly/$(WASM_TARGET)/release/session_keeper.wasm
PORT ?= 8080

tools: tools-nightly

.PHONY: fuzz bench help tools tools-nightly tools-rust tools-browser tools-node tools-wasm-pack pkg server demo test test-native test-browser test-wasm-firefox test-wasm-pack-build test-support tools-geckodriver lint test-types test-consumer test-react test-dynamic test-e2e size clean

help:
	@echo "make demo   - build the package and start the demo backend + page on http://127.0.0.1:$(PORT)/"
	@echo "make test   - every test: native, browser and end-to-end in Chromium, Firefox and WebKit, types, consumers"
	@echo "make pkg    - build the npm package into pkg/"
	@echo "make size   - gzip -9 size of pkg/"

## Tools ---------------------------------------------------------------------------------
tools: tools-rust tools-browser tools-node tools-wasm-pack

tools-rust:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 4 minutes, once)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

tools-nightly:
	@rustup component list --installed --toolchain nightly 2>/dev/null | grep -q '^rust-src' || rustup component add rust-src --toolchain nightly

tools-wasm-pack:
	@command -v wasm-pack >/dev/null || { echo "installing wasm-pack (about 3 minutes, once)"; cargo install wasm-pack --locked; }

# The three engines the browser and end-to-end suites run in, all Debian's: Chromium (with
# ChromeDriver for wasm-pack), Firefox ESR, and WebKitGTK's MiniBrowser with WebKitWebDriver,
# under Xvfb (MiniBrowser has no headless mode; xvfb-run needs xauth).
BROWSER_PACKAGES := chromium:chromium chromedriver:chromium-driver firefox-esr:firefox-esr \
  WebKitWebDriver:webkit2gtk-driver xvfb-run:xvfb xauth:xauth
MINIBROWSER := /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
tools-browser:
	@missing=""; for entry in $(BROWSER_PACKAGES); do \
	  command -v $${entry%%:*} >/dev/null || missing="$$missing $${entry#*:}"; done; \
	[ -x $(MINIBROWSER) ] || missing="$$missing webkit2gtk-driver"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian's$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# geckodriver for test-wasm-firefox, pinned, from crates.io. Installed off PATH: the wasm-bindgen
# test runner drives the first WebDriver it finds there (geckodriver before chromedriver), and a
# plain `cargo test --target $(WASM_TARGET)` stays in Chromium.
GECKODRIVER_VERSION := 0.37.1
GECKODRIVER_ROOT := $(HOME)/.cargo/geckodriver
GECKODRIVER := $(GECKODRIVER_ROOT)/bin/geckodriver
tools-geckodriver:
	@if [ "$$($(GECKODRIVER) --version 2>/dev/null | head -n 1)" != "geckodriver $(GECKODRIVER_VERSION)" ]; then \
	  echo "installing geckodriver $(GECKODRIVER_VERSION) (about 2.5 minutes, once)"; \
	  cargo install geckodriver --version $(GECKODRIVER_VERSION) --locked --root $(GECKODRIVER_ROOT); \
	fi

tools-node: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

## Build ---------------------------------------------------------------------------------
pkg: tools-rust tools-node tools-nightly
	node scripts/check_ops.mjs
	cargo +nightly build --release --target $(WASM_TARGET) -p session-keeper --target-dir target/nightly $(NIGHTLY_FLAGS)
	# pkg-template/src/ holds the shell's modules: bundled below (in target/pkg/shell/, beside the
	# glue and the wasm they import), never shipped as they are.
	rm -rf pkg target/pkg/shell && mkdir -p pkg target/pkg/shell
	cp -r pkg-template/. pkg/ && rm -r pkg/src
	cp pkg-template/src/*.js target/pkg/shell/
	# wasm-bindgen keeps the names for wasm-opt's --no-inline; wasm-opt strips them. The engine's
	# operations stay functions of their own, so that a cold start compiles only the ones it runs
	# (wasm functions are compiled on their first call).
	wasm-bindgen --target web --out-dir target/pkg/shell --out-name session_keeper_core --no-typescript \
	  --remove-producers-section $(WASM)
	# The glue's fallback, `new URL("session_keeper_core_bg.wasm", import.meta.url)`, names a file
	# the package does not ship (the shell always passes the wasm), and bundlers resolve such URLs
	# at build time (webpack fails on a missing one): the fallback becomes an error.
	sed -i "s|module_or_path = new URL('session_keeper_core_bg.wasm', import.meta.url);|throw new Error('session-keeper: no wasm given');|" target/pkg/shell/session_keeper_core.js
	! grep -q 'import\.meta\.url' target/pkg/shell/session_keeper_core.js || { echo "the glue still refers to a wasm file next to it" >&2; exit 1; }
	wasm-opt --no-inline='*::engine::Engine>::*' -Oz --strip-debug --strip-producers \
	  target/pkg/shell/session_keeper_core_bg.wasm -o target/pkg/session_keeper_core_bg.wasm
	rm target/pkg/shell/session_keeper_core_bg.wasm
	# One JavaScript file for the browser, minified: the shell's modules, wasm-bindgen's glue and
	# the wasm itself (as hex), so that nothing is fetched after it. esbuild puts the modules in
	# one scope, so terser shortens every internal name as it would in one file.
	node scripts/inline_wasm.mjs target/pkg/session_keeper_core_bg.wasm target/pkg/shell/session_keeper_core_wasm.js
	esbuild target/pkg/shell/session_keeper.js --bundle --format=esm --minify-syntax --log-level=warning \
	  --outfile=pkg/session_keeper.js
	for f in session_keeper.js react.js; do \
	  terser pkg/$$f --module --compress passes=2 --mangle --keep-classnames -o pkg/$$f; done
	version=$$(awk -F'"' '/^version = /{print $$2; exit}' Cargo.toml); \
	  sed -i "s/\"version\": \"0.0.0-from-cargo\"/\"version\": \"$$version\"/" pkg/package.json
	@$(MAKE) --no-print-directory size

# What a browser loads: pkg/session_keeper.js (the React entry is separate and tiny), gzip -9;
# the wasm inside it is shown on its own too.
size:
	@j=$$(gzip -9c pkg/session_keeper.js | wc -c); w=$$(gzip -9c target/pkg/session_keeper_core_bg.wasm | wc -c); \
	  echo "pkg/ gzip -9: $$j B (pkg/session_keeper.js, raw $$(wc -c < pkg/session_keeper.js) B; the wasm in it: raw $$(wc -c < target/pkg/session_keeper_core_bg.wasm) B, $$w B gzip -9 as a file of its own)"

SERVER := target/server/session-keeper-server
server:
	cargo build --profile server -p session-keeper-server

## Run -----------------------------------------------------------------------------------
demo: pkg server
	$(SERVER) --port $(PORT) --www www --pkg pkg

## Tests ---------------------------------------------------------------------------------
test: tools lint test-native test-browser test-wasm-firefox test-wasm-pack-build pkg test-support test-types test-consumer test-react test-dynamic test-e2e
	@echo "make test: all suites passed"

lint:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p session-keeper --target $(WASM_TARGET) --all-targets -- -D warnings

test-native:
	cargo test --workspace

# The wasm boundary in headless Chromium through wasm-pack (it uses the wasm-bindgen and
# chromedriver on PATH; `cargo test --target $(WASM_TARGET)` runs the same tests), then the
# public JavaScript API of pkg/ in Chromium, Firefox and WebKit (tests/engines/; ENGINES=chromium
# runs one), with pass/fail/skip counts per engine.
ENGINES ?= chromium firefox webkit
test-browser: tools-rust tools-browser tools-wasm-pack pkg tools-node
	wasm-pack test --headless --chrome --mode no-install
	node tests/engines/run-suite.mjs browser tests/browser/ $(ENGINES)

# The wasm boundary tests (tests/wasm_core.rs) in headless Firefox ESR too: the same test runner,
# told to drive geckodriver (GECKODRIVER) with Debian's firefox-esr (--binary). The log must show
# that Firefox ran them. `--tests`: the doctests test no browser (test-native runs them).
FIREFOX ?= /usr/bin/firefox-esr
test-wasm-firefox: tools-rust tools-browser tools-geckodriver
	GECKODRIVER=$(GECKODRIVER) GECKODRIVER_ARGS="--binary $(FIREFOX)" cargo test --target $(WASM_TARGET) --tests 2>&1 \
	  | awk '{ print } /^Running headless tests in Firefox/ { firefox = 1 } END { if (!firefox) { print "test-wasm-firefox: no tests ran in Firefox"; exit 1 } }'

# `wasm-pack build` must yield a package that loads and keeps a session too.
test-wasm-pack-build: tools-rust tools-wasm-pack tools-node
	wasm-pack build --target web --mode no-install --out-dir target/wasm-pack-pkg
	node tests/wasm_pack_smoke.mjs target/wasm-pack-pkg

# The browsers the built package needs (its syntax, APIs and wasm features) against the table in
# pkg-template/browser-support.json; see docs/browser-support.md.
test-support: pkg tools-node
	node scripts/check_support.mjs

test-types: pkg tools-node
	bash tests/types/run.sh

test-consumer: pkg tools-browser tools-node
	bash tests/consumer/run.sh

# A React 19 app built from the packed tarball: useSession and bare useSyncExternalStore.
test-react: pkg server tools-browser tools-node
	SK_SERVER_BIN=$(SERVER) bash tests/react/run.sh

# The Dynamic guide's example type-checks against @dynamic-labs/sdk-react-core's published types.
test-dynamic: pkg
	bash examples/dynamic-react/check.sh

# The demo, tabs, expiry, revocation and CSP against the reference backend, in each engine.
test-e2e: pkg server tools-browser tools-node
	SK_SERVER_BIN=$(SERVER) node tests/engines/run-suite.mjs e2e tests/e2e/ $(ENGINES)

clean:
	cargo clean
	rm -rf pkg node_modules

## Fuzzing and benchmarks (not part of make test) ------------------------------------
# cargo-fuzz on the image's nightly: the token, record, storage-event and JSON parsers, each
# FUZZ_SECONDS (default 180). `make test` runs the property-test version (tests/properties.rs).
fuzz: tools-nightly
	bash fuzz/run.sh

bench: pkg
	cd bench && npm install --no-audit --no-fund --silent
	node bench/run.mjs
