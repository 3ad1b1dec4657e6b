#!/usr/bin/env bash
# Provisions the browser the diagram tests parse Mermaid charts in (tests/diagram.test.ts): Debian's
# Chromium at /usr/bin/chromium, driven by playwright-core (whose own browser download is not used).
# Skipped when it is already there; installed with apt-get when this runs as root (CI on a fresh machine),
# otherwise the command to run is printed and the set-up goes on.
set -euo pipefail

log() { printf '[install-chromium] %s\n' "$*" >&2; }

if [ -x /usr/bin/chromium ]; then
  log "chromium: found /usr/bin/chromium"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "chromium: installing with apt-get (about a minute)"
  apt-get update && apt-get install -y chromium
  exit 0
fi
log "chromium: /usr/bin/chromium is missing; the diagram tests need it. Install it with:"
log "  sudo apt-get update && sudo apt-get install -y chromium"
