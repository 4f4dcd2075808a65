#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine, as root; each step
# is skipped when already done, so it takes seconds the second time.
#   PostgreSQL 15 server and headers, clang (for pgrx's bindings), postgresql-hll (the
#   peer, for side-by-side checks), pg_cron (scheduled rollups example), cargo-pgrx 0.18.0, and `cargo pgrx init` against the
#   system PostgreSQL (no download).
set -euo pipefail

PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PACKAGES=(postgresql-15 postgresql-server-dev-15 postgresql-15-hll postgresql-15-cron libclang-dev clang)

step() { printf '==> %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
    echo "tests/setup.sh installs system packages: run it as root" >&2
    exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The project's clusters are its own; the Debian service is not used.
if [ -d /etc/postgresql/15/main ] && command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
fi

if ! cargo pgrx --version 2>/dev/null | grep -q '0\.18\.0'; then
    step "cargo install cargo-pgrx 0.18.0 (about 5 minutes on 2 cores)"
    cargo install cargo-pgrx --version 0.18.0 --locked --quiet
fi

if ! grep -qs "pg15 = \"$PG_CONFIG\"" "${PGRX_HOME:-$HOME/.pgrx}/config.toml"; then
    step "cargo pgrx init --pg15=$PG_CONFIG"
    cargo pgrx init --pg15="$PG_CONFIG" >/dev/null
fi
step "setup done"
