# Thin targets; CI (.ci/run) calls them. GO can be overridden, e.g. GO=go1.26.
GO ?= go
# Packages with concurrent code, run under the race detector on 1, 2 and 4 CPUs.
RACE_PKGS ?= ./pool/... ./shard/... ./queue/... ./scheduler/... ./voice/... ./instrument/... ./bench/... ./bounce/... ./cmd/bounce/... .
BENCH ?= .
BENCH_PKGS ?= ./...
FUZZTIME ?= 20s
# Minimising a large failing input takes up to 60 s by default, and more
# on inputs near the limits: bound it so a run ends on time.
FUZZMINIMIZETIME ?= 10s

.PHONY: all build test race purego bench fuzz lint generate generate-check pgo arm64 examples ci

all: build test

build:
	$(GO) build ./...

test:
	$(GO) test ./...

race:
	$(GO) test -race -cpu=1,2,4 $(RACE_PKGS)

# All assembly off: the pure-Go twins alone must build and pass.
purego:
	$(GO) build -tags purego ./...
	$(GO) test -tags purego ./...

bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem $(BENCH_PKGS)

# Each fuzz target for FUZZTIME; go test -fuzz takes one target at a time.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg; \
	  done; done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	GOARCH=arm64 $(GO) build ./...
	GOARCH=386 $(GO) build ./...
	GOARCH=arm $(GO) build ./...
	$(GO) vet -tags purego ./...

generate:
	cd mix/_gen && $(GO) run . 

# Fails if regenerating the assembly would change a committed file.
generate-check: generate
	@git diff --exit-code -- mix/ || { echo "make generate changed generated files: commit them"; exit 1; }

# Profile-guided optimisation: go build and go install of cmd/bounce use
# cmd/bounce/default.pgo (docs/bounce.md, "Profile-guided build"). This
# records a new one from the bounce benchmarks (MIDI files on the built-in
# synths and on FluidR3_GM where it is installed, else the shared test
# data's GM bank; 5,000 sines). A profile is a sample, and two recordings
# can differ by several percent in what they buy: after changing the render
# path, record one and keep it only if bounces built with it are faster
# than with the one committed (docs/bounce.md).
PGO_TMP ?= /tmp/aether-pgo
pgo:
	mkdir -p $(PGO_TMP)
	$(GO) test ./bounce -run '^$$' -bench 'Bounce(MIDI|SoundFont|Sines)/(mid|sf2|voices=5000)/(workers=1|mid)$$' \
	  -benchtime 3x -cpuprofile $(PGO_TMP)/bounce.pprof -o $(PGO_TMP)/bounce.test
	cp $(PGO_TMP)/bounce.pprof cmd/bounce/default.pgo

# Cross-compiled arm64 tests under qemu-user (installed by .ci/run), each
# run in its package's directory, as go test runs it.
arm64:
	GOARCH=arm64 $(GO) test -c -o /tmp/aether-mix.arm64 ./mix
	cd mix && qemu-aarch64-static /tmp/aether-mix.arm64 -test.short
	GOARCH=arm64 $(GO) test -c -o /tmp/aether-voice.arm64 ./voice
	cd voice && qemu-aarch64-static /tmp/aether-voice.arm64 -test.short

# The example programs are modules of their own (so the library does not
# depend on what they use); this builds and vets them.
examples:
	cd examples/play && $(GO) vet . && $(GO) build -o /dev/null .

ci:
	bash .ci/run
