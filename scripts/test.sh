#!/usr/bin/env bash
# Runs every test of livetemplate on a fresh Debian machine: the library
# module, then the nested modules: the browser tests in e2e/ and the
# Prometheus adapter in telemetry/promsink/ (each its own go.mod, so that
# chromedp and the Prometheus client stay out of the library's
# dependencies).
# Installs what is missing (Go modules, Chromium, Redis, the client's npm
# packages); with CI=true a missing tool is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing: ${need_apt[*]} (run as root to install them, or install them yourself)" >&2
    if [ "${CI:-}" = true ]; then exit 1; fi
  fi
fi

log "go vet"
go vet ./...
(cd e2e && go vet ./...)
(cd telemetry/promsink && go vet ./...)

if [ -f client/package.json ]; then
  log "client: npm ci, typecheck, vitest, bundle check"
  (cd client && npm ci --no-audit --no-fund --loglevel=error && npm test)
fi

log "go test -race"
go test -race -count=1 -timeout 20m ./...

log "telemetry/promsink: go test -race"
(cd telemetry/promsink && go test -race -count=1 ./...)

log "e2e: go test -race (headless Chromium)"
(cd e2e && go test -race -count=1 -timeout 20m ./...)
