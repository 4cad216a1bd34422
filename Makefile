# Arbor's two commands:
#   make demo   set up the machine (system packages, default model), build in release, run the demo
#   make test   the same setup, then build and run every test
# Both are idempotent; a second run only checks what is there.

SWIFT ?= swift
ARBOR_RELEASE := .build/release/arbor

.PHONY: setup setup-all demo test build release bench clean-models

setup:
	@scripts/setup.sh

# Tests also exercise the Qwen2 path, so they fetch the second model too, and the remote
# backend against a real llama-server, built once into a cache folder.
setup-all:
	@scripts/setup.sh --qwen --llama-server

release: setup
	$(SWIFT) build -c release --product arbor

demo: release
	@scripts/demo.sh $(ARBOR_RELEASE)

build:
	$(SWIFT) build

test: setup-all
	$(SWIFT) build --build-tests
	@scripts/run-tests.sh

clean-models:
	rm -rf models
