#!/usr/bin/env bash
# Provisions the two Temporal servers the project runs on, into the ignored .tools/ cache:
#   .tools/bin/temporal             Temporal CLI v1.5.1 (dev server), built with `go install`
#   .tools/test-server/run          Java time-skipping test server, jars from Maven, behind an exec wrapper
# Each is skipped when already present and of the pinned version, so a second run takes seconds.
# A server named by TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH, or found on PATH, is not rebuilt;
# tools/temporal-servers.ts applies the same order at run time and falls back to the SDK's download.
set -euo pipefail

CLI_VERSION=1.5.1
TEST_SERVER_VERSION=1.38.0
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"

log() { printf '[install-temporal] %s\n' "$*" >&2; }

install_cli() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then log "dev server: using TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"; return; fi
  local bin="$TOOLS/bin/temporal"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "temporal version $CLI_VERSION"; then
    log "dev server: cached $("$bin" --version)"; return
  fi
  if command -v temporal >/dev/null 2>&1 && temporal --version 2>/dev/null | grep -q "temporal version $CLI_VERSION"; then
    log "dev server: using $(command -v temporal) from PATH"; return
  fi
  if ! command -v go >/dev/null 2>&1; then
    log "dev server: no Go toolchain; the SDK will download the CLI at run time (needs the internet)"; return
  fi
  log "dev server: building Temporal CLI v$CLI_VERSION with go install (a cold build takes several minutes)"
  # The Go checksum database may be unreachable from build machines. Only the CLI module itself is looked
  # up there: every dependency is pinned by the CLI's own go.sum, so skipping the lookup for this one module
  # keeps the build verified. CGO is off because the dev server's SQLite is pure Go.
  CGO_ENABLED=0 GOBIN="$TOOLS/bin" GONOSUMDB=github.com/temporalio/cli GOFLAGS=-mod=mod \
    go install -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=$CLI_VERSION" \
    "github.com/temporalio/cli/cmd/temporal@v$CLI_VERSION"
  log "dev server: built $("$bin" --version)"
}

install_test_server() {
  if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then log "test server: using TEMPORAL_TEST_SERVER_PATH"; return; fi
  local dir="$TOOLS/test-server"
  if [ -x "$dir/run" ] && [ -f "$dir/libs/temporal-test-server-$TEST_SERVER_VERSION.jar" ]; then
    log "test server: cached $TEST_SERVER_VERSION"; return
  fi
  if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
    log "test server: no Maven/Java; the SDK will download the test server at run time (needs the internet)"; return
  fi
  log "test server: fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION with Maven"
  rm -rf "$dir" && mkdir -p "$dir/libs"
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.tools</groupId><artifactId>temporal-test-server-deps</artifactId><version>0</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$TEST_SERVER_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  mvn -q -B -f "$dir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/libs"
  # The SDK SIGKILLs only its direct child, so the wrapper must exec java: a JVM left behind would keep
  # the port and the output pipes, and hang the test environment's teardown.
  cat > "$dir/run" <<'RUN'
#!/bin/sh
DIR="$(cd "$(dirname "$0")" && pwd)"
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$DIR/libs/*" io.temporal.testserver.TestServer "$@"
RUN
  chmod +x "$dir/run"
  log "test server: ready ($(ls "$dir/libs" | wc -l) jars)"
}

case "${1:-all}" in
  cli) install_cli ;;
  test-server) install_test_server ;;
  all) install_test_server; install_cli ;;
  *) echo "usage: $0 [cli|test-server|all]" >&2; exit 2 ;;
esac
