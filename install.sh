#!/usr/bin/env bash
# Builds and installs hyperloglog into a PostgreSQL installation, with the compatible
# `hll` extension (postgresql-hll's API over the same library) unless --without-hll.
#   bash install.sh [--pg-config PATH] [--features pgNN] [--without-hll] [--replace-peer]
# Needs write access to the installation (root for Debian's). The `hll` extension is
# not installed over another package's hll.control unless --replace-peer is given.
set -euo pipefail
cd "$(dirname "$0")"
pg_config=$(command -v pg_config || true)
features=()
with_hll=1
replace_peer=0
while [ $# -gt 0 ]; do
    case $1 in
        --pg-config) pg_config=$2; shift 2 ;;
        --features) features=(--no-default-features --features "$2"); shift 2 ;;
        --without-hll) with_hll=0; shift ;;
        --replace-peer) replace_peer=1; shift ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$pg_config" ] || { echo "install.sh: pg_config not found (use --pg-config)" >&2; exit 2; }

cargo pgrx install --release --pg-config "$pg_config" "${features[@]}"
[ "$with_hll" = 1 ] || exit 0

sharedir=$("$pg_config" --sharedir)/extension
libdir=$("$pg_config" --pkglibdir)
if [ -f "$sharedir/hll.control" ] && ! grep -q 'by hyperloglog' "$sharedir/hll.control" &&
    [ "$replace_peer" = 0 ]; then
    echo "install.sh: $sharedir/hll.control belongs to another package (postgresql-hll?);" \
        "remove that package, or pass --replace-peer" >&2
    exit 1
fi
install -m 644 sql/hll/hll.control sql/hll/hll--*.sql "$sharedir/"
ln -sf hyperloglog.so "$libdir/hll.so"
echo "installed the hll extension (postgresql-hll compatible) into $sharedir"
