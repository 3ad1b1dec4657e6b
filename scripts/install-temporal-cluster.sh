#!/usr/bin/env bash
# Provisions what `npm run test:cluster` runs a real Temporal cluster with (not the dev server), cached in the
# ignored .tools/ folder (TEMPORAL_CLUSTER_CACHE moves it):
#   .tools/cluster/temporal-server-1.32.2/temporal-server    the Temporal server, all services in one process
#   .tools/cluster/temporal-server-1.32.2/temporal-sql-tool  its schema tool (built-in PostgreSQL schemas)
#   PostgreSQL from Debian's `postgresql` package (apt-get), for the server's persistence and SQL visibility
# Each is skipped when present, so a second run takes a second. The database itself is cached by the test
# (tests/cluster/postgres.ts), beside the binaries.
set -euo pipefail

SERVER_VERSION=1.32.2
# go.temporal.io/server v1.32.2 needs Go 1.26.10 or newer; machines here have 1.26.8. Go fetches the newer
# toolchain itself, as a module through the Go module proxy, when told which one: GOTOOLCHAIN=go1.27.3.
GO_TOOLCHAIN=go1.27.3
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${TEMPORAL_CLUSTER_CACHE:-$ROOT/.tools/cluster}"
BIN="$CACHE/temporal-server-$SERVER_VERSION"

log() { printf '[install-temporal-cluster] %s\n' "$*" >&2; }

install_server() {
  if [ -x "$BIN/temporal-server" ] && [ -x "$BIN/temporal-sql-tool" ]; then
    log "Temporal server: cached $SERVER_VERSION in $BIN"; return
  fi
  if ! command -v go >/dev/null 2>&1; then
    log "Temporal server: no Go toolchain; install Go (any 1.21+ fetches $GO_TOOLCHAIN itself) and rerun"; exit 1
  fi
  log "Temporal server: building go.temporal.io/server v$SERVER_VERSION with go install and $GO_TOOLCHAIN (a cold build takes 10-25 minutes on 2 cores; Go's build cache makes the next one quick)"
  local staging="$CACHE/.build-$$"
  rm -rf "$staging" && mkdir -p "$staging"
  # The checksum database may be unreachable from build machines: only the server module itself skips the
  # lookup, its dependencies are pinned by its own go.sum. CGO is off: the PostgreSQL driver is pure Go.
  GOTOOLCHAIN="$GO_TOOLCHAIN" CGO_ENABLED=0 GOBIN="$staging" GONOSUMDB=go.temporal.io/server GOFLAGS=-mod=mod \
    nice -n 10 go install -ldflags "-s -w" \
    "go.temporal.io/server/cmd/server@v$SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@v$SERVER_VERSION"
  mkdir -p "$BIN"
  mv "$staging/server" "$BIN/temporal-server"
  mv "$staging/sql" "$BIN/temporal-sql-tool"
  rm -rf "$staging"
  log "Temporal server: built $SERVER_VERSION into $BIN"
}

# The newest PostgreSQL the machine has (Debian installs it under /usr/lib/postgresql/<major>/bin).
postgres_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

install_postgres() {
  if [ -n "$(postgres_bin)" ] && [ -x "$(postgres_bin)/initdb" ]; then
    log "PostgreSQL: $("$(postgres_bin)/postgres" --version)"; return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL: missing; run: sudo apt-get update && sudo apt-get install -y postgresql"; exit 1
  fi
  log "PostgreSQL: installing Debian's postgresql package"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  log "PostgreSQL: $("$(postgres_bin)/postgres" --version)"
}

command -v openssl >/dev/null 2>&1 || { log "openssl is missing (it makes the test's certificates): apt-get install -y openssl"; exit 1; }
install_postgres
install_server
