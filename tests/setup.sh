#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine, as root; each step
# is skipped when already done, so it takes seconds the second time.
#   PostgreSQL 15 server and headers, clang (for pgrx's bindings), postgresql-hll (the
#   peer, for side-by-side checks), pg_cron (scheduled rollups example), cargo-pgrx
#   0.18.0, cargo-fuzz 0.13.2, psycopg (the Python tests' client), the PostgreSQL 14,
#   16, 17 and 18 trees (tests/pg_versions.sh), and `cargo pgrx init` against all of
#   them (no source download).
set -euo pipefail

args=()
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
# The project's clusters are its own (own directories and ports under target/); the
# Debian service, if the package started one, is left as it is.

if ! cargo pgrx --version 2>/dev/null | grep -q '0\.18\.0'; then
    step "cargo install cargo-pgrx 0.18.0 (about 5 minutes on 2 cores)"
    cargo install cargo-pgrx --version 0.18.0 --locked --quiet
fi

if ! cargo fuzz --version 2>/dev/null | grep -q '0\.13\.2'; then
    step "cargo install cargo-fuzz 0.13.2 (about 2 minutes)"
    cargo install cargo-fuzz --version 0.13.2 --locked --quiet
fi

if ! python3 -c 'import psycopg' 2>/dev/null; then
    step "pip install psycopg[binary]"
    python3 -m pip install --quiet --disable-pip-version-check "psycopg[binary]" 2>&1 |
        grep -v 'Running pip as the .root. user' || true
    python3 -c 'import psycopg' || { echo "psycopg could not be installed" >&2; exit 1; }
fi

source "$(dirname "$0")/pg_versions.sh"
init=()
for major in "${SUPPORTED_MAJORS[@]}"; do
    pg_config=$(pg_config_of "$major")
    grep -qs "pg$major = \"$pg_config\"" "${PGRX_HOME:-$HOME/.pgrx}/config.toml" || init=(yes)
    args+=("--pg$major=$pg_config")
done
if [ ${#init[@]} -gt 0 ]; then
    step "cargo pgrx init ${args[*]}"
    cargo pgrx init "${args[@]}" >/dev/null
fi
step "setup done"
