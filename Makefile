# flexrecon: a FlexCharge partner's nightly reconciliation service.
export CGO_ENABLED := 1
GO ?= go

.PHONY: demo test bench bench-large lint build run faults fuzz truth

## demo: the whole nightly job once, on generated sample data and the built-in FlexCharge sandbox
demo:
	$(GO) run ./cmd/flexrecon demo

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 -timeout 30m ./...

## bench: every benchmark once at its everyday size, then the nightly chain end
## to end at 1M and 10M ledger rows (data generated once, cached in .bench/);
## the end-to-end figures and the machine go into docs/benchmarks.md
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m $$($(GO) list ./... | grep -v /cmd/flexrecon)
	FLEXRECON_BENCH_ROWS=1000000,10000000 FLEXRECON_BENCH_REPORT=$(CURDIR)/docs/benchmarks.md \
	  $(GO) test -run '^$$' -bench EndToEnd -benchtime 1x -timeout 60m ./cmd/flexrecon

## bench-large: the component benchmarks at their target sizes (10M rows for
## ingest and classify; gigabytes of data cached in .bench/)
bench-large:
	FLEXRECON_BENCH_LARGE=1 $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./internal/store ./reports

## truth: a million generated rows classified, every transaction's
## categories compared with gen's ground truth (#5's acceptance; about a minute)
truth:
	FLEXRECON_LARGE=1 $(GO) test -count=1 -timeout 30m -run '^TestGroundTruthLarge$$' ./internal/store

## faults: the fault suite (kills, a faulty FlexCharge, bad files, a full disk,
## concurrent runs and downloads); prints what each fault injected and checked
faults: SHELL := /bin/bash
faults:
	set -o pipefail; $(GO) test -race -count=1 -timeout 10m -v -run 'Fault' ./cmd/flexrecon ./jobs 2>&1 \
	  | grep -vE '^(\{|STEP |=== (PAUSE|CONT))'


## fuzz: each fuzz target briefly (FUZZTIME, default 100000 executions, about
## 10 s each here); corpora in testdata/fuzz. A count, not a duration: Go 1.26's
## fuzz coordinator can fail a duration-bounded run with "context deadline
## exceeded" at the deadline without finding anything (go.dev/issue/75804,
## fixed in Go 1.27).
FUZZTIME ?= 100000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLuhn$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzDateFromName$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzStrptime$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzMapHeader$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzScreen$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyWebhook$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/flexcharge

## lint: vet and formatting
lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (gofmt -l . && echo "gofmt would change the files above" && exit 1)

## build: the binary, stamped with its commit (runs record the version they ran)
build:
	$(GO) build -buildvcs=true -o bin/flexrecon ./cmd/flexrecon
