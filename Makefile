# Hooklens — the two commands a new user needs are `make run` and `make test`.
# Both install whatever this machine is missing first (Debian/Ubuntu packages
# Fyne needs for cgo, plus the X tools used for screenshots).

SHELL := /bin/bash
GO ?= go
BIN := hooklens
FYNE_TOOLS := fyne.io/tools/cmd/fyne@v1.7.4
# The linter, pinned; installed into the Go bin directory when missing.
STATICCHECK_VERSION := v0.8.2
GOBIN ?= $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
# Packages whose code runs goroutines: the race detector checks them.
RACE_PKGS := ./store/... ./app/capture/... ./app/deliver/... ./app/api/... ./ui/... .

DEB_BUILD := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libxkbcommon-dev libwayland-dev xdg-utils
DEB_SHOT := xvfb xauth imagemagick xdotool x11-utils dbus-x11

export CGO_ENABLED := 1

.PHONY: run test build bench package screenshot deps deps-shot vet lint fmt clean

run: deps build
	./$(BIN)

# The ci build tag selects Fyne's headless test driver (fyne.io/fyne/v2/test):
# without it a test that imports Fyne's app package opens a real GLFW window
# and can hang on a machine without a display.
test: deps vet lint
	$(GO) test -tags ci -count=1 ./...
	$(GO) test -tags ci -count=1 -race $(RACE_PKGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet -tags ci ./...

lint: $(STATICCHECK)
	$(STATICCHECK) -tags ci ./...

$(STATICCHECK):
	GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

build: deps
	$(GO) build -o $(BIN) .

# bench: durable capture against a plain net/http handler (and PEER='cmd {port}',
# capturing at PEER_PATH,
# when given), same load in the same run, with wrk when installed; then the Go
# benchmarks (store paging, indexed filters, text search, record encoding,
# judging, the listener, and the window's receive → row at 1,000 requests a
# second against 10 a second, with its RssAnon: BenchmarkReceiveToRow, about
# 10 s); then a real window under Xvfb (bench/window: its RssAnon idle, then
# under 1,000 requests a second for 30 s); then the large-data-dir figures on EVENTS demo
# events (kept under the temp dir and reused): `make bench EVENTS=1000000`
# gives the README's million-event figures.
EVENTS ?= 50000
bench: deps deps-shot build
	@command -v wrk >/dev/null || ./scripts/ensure-packages.sh wrk || true
	$(GO) run ./bench/capture -hooklens ./$(BIN)
	HOOKLENS_BENCH_EVENTS=$(EVENTS) $(GO) test -tags ci -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/window -hooklens ./$(BIN)
	$(GO) run ./bench/million -hooklens ./$(BIN) -events $(EVENTS)

# fyne package --release bumps the build number in FyneApp.toml; keep the
# committed file as it is.
package: deps
	@cp FyneApp.toml .FyneApp.toml.keep
	$(GO) run $(FYNE_TOOLS) package --os linux --release --src . --icon assets/icon.png; \
		status=$$?; mv .FyneApp.toml.keep FyneApp.toml; exit $$status
	@ls -l Hooklens.tar.xz

# screenshot opens the window with demo data under Xvfb and writes docs/screenshot.png.
screenshot: deps deps-shot build
	mkdir -p docs
	./scripts/screenshot.sh ./$(BIN) docs/screenshot.png

# deps installs the Debian packages that are missing (apt-get update first).
deps:
	@command -v $(GO) >/dev/null || { echo "Go is not installed: see https://go.dev/doc/install"; exit 1; }
	@./scripts/ensure-packages.sh $(DEB_BUILD)

deps-shot:
	@./scripts/ensure-packages.sh $(DEB_SHOT)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -f $(BIN) Hooklens.tar.xz
