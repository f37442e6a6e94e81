# flexrecon: a FlexCharge partner's nightly reconciliation service.
export CGO_ENABLED := 1
GO ?= go

.PHONY: demo test bench lint build run faults fuzz

## demo: the whole nightly job once, on generated sample data and the built-in FlexCharge sandbox
demo:
	$(GO) run ./cmd/flexrecon demo

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 -timeout 30m ./...

## bench: the benchmarks (figures go in docs/benchmarks.md)
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

## faults: the fault suite (kills, a faulty FlexCharge, bad files, a full disk,
## concurrent runs and downloads); prints what each fault injected and checked
faults: SHELL := /bin/bash
faults:
	set -o pipefail; $(GO) test -race -count=1 -timeout 10m -v -run 'Fault' ./cmd/flexrecon ./jobs 2>&1 \
	  | grep -vE '^(\{|STEP |=== (PAUSE|CONT))'


## fuzz: each fuzz target briefly (FUZZTIME, default 10s); corpora in testdata/fuzz
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLuhn$$' -fuzztime $(FUZZTIME) ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzDateFromName$$' -fuzztime $(FUZZTIME) ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzStrptime$$' -fuzztime $(FUZZTIME) ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzMapHeader$$' -fuzztime $(FUZZTIME) ./internal/ledger
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyWebhook$$' -fuzztime $(FUZZTIME) ./internal/flexcharge

## lint: vet and formatting
lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (gofmt -l . && echo "gofmt would change the files above" && exit 1)

build:
	$(GO) build -o bin/flexrecon ./cmd/flexrecon
