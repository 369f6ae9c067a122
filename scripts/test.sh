#!/usr/bin/env bash
# Runs every test of livetemplate on a fresh Debian machine: the library
# module, then the nested modules: the browser tests in e2e/ and the
# Prometheus adapter in telemetry/promsink/ (each its own go.mod, so that
# chromedp and the Prometheus client stay out of the library's
# dependencies).
# Installs what is missing (Go modules; Debian's Chromium, Redis, nginx,
# haproxy, Node.js and npm; the client's npm packages); with CI=true a
# missing tool is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# has reports whether a program is installed, in PATH or in an sbin
# directory (nginx and haproxy live there, outside a user's PATH).
has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

need_apt=()
has chromium || need_apt+=(chromium)
has redis-server || need_apt+=(redis-server)
has nginx || need_apt+=(nginx)      # e2e/proxy runs the docs' configuration
has haproxy || need_apt+=(haproxy)  # e2e/proxy checks the docs' configuration
{ has node && has npm; } || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need_apt[*]}"
    # The tests start nginx, haproxy and redis-server themselves: keep the
    # packages from starting them as services (policy-rc.d, as Docker
    # images do) while they install.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
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
