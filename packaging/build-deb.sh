#!/usr/bin/env bash
# Builds the Debian packages, for every supported PostgreSQL major or those named:
#   postgresql-NN-hyperloglog       the hyperloglog extension (Depends: postgresql-NN)
#   postgresql-NN-hyperloglog-hll   the compatible `hll` extension over the same library;
#                                   it replaces postgresql-hll's package (same files)
# into target/deb/, version from Cargo.toml. Each major is compiled against its own
# server headers: Debian's for 15 (postgresql-server-dev-15), the pinned trees of
# tests/pg_versions.sh for the others. Needs tests/setup.sh to have run.
#   bash packaging/build-deb.sh [MAJOR...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source tests/pg_versions.sh

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=("${SUPPORTED_MAJORS[@]}")
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
out=$root/target/deb
mkdir -p "$out"

control() { # control PACKAGE DEPENDS EXTRA-FIELDS DESCRIPTION
    cat <<CONTROL
Package: $1
Version: $version
Architecture: amd64
Maintainer: hyperloglog developers <hyperloglog@localhost>
Section: database
Priority: optional
Depends: $2
$3Description: $4
CONTROL
}

for major in "${majors[@]}"; do
    pg_config=$(pg_config_of "$major")
    printf '==> PostgreSQL %s: building against %s\n' "$major" "$pg_config"
    build=$out/build-pg$major
    rm -rf "$build"
    cargo pgrx package --pg-config "$pg_config" --no-default-features --features "pg$major" \
        --out-dir "$build" >"$out/build-pg$major.log" 2>&1 ||
        { tail -30 "$out/build-pg$major.log"; exit 1; }
    library=$(find "$build" -name hyperloglog.so)
    extension_dir=$(dirname "$(find "$build" -name hyperloglog.control)")

    stage=$out/stage/postgresql-$major-hyperloglog
    rm -rf "$stage" && mkdir -p "$stage/DEBIAN" "$stage/usr/lib/postgresql/$major/lib" \
        "$stage/usr/share/postgresql/$major/extension"
    install -m 644 "$library" "$stage/usr/lib/postgresql/$major/lib/"
    install -m 644 "$extension_dir"/hyperloglog* "$stage/usr/share/postgresql/$major/extension/"
    control "postgresql-$major-hyperloglog" "postgresql-$major" "" \
        "HyperLogLog distinct counts for PostgreSQL $major (extension hyperloglog)
 Fast, exact-when-small HyperLogLog sketches (type hll) in the storage format of
 postgresql-hll and UltraLogLog sketches (type ull), with aggregates that roll up
 and slide over window frames, error bounds and intersections." \
        >"$stage/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz --build "$stage" \
        "$out/postgresql-${major}-hyperloglog_${version}_amd64.deb" >/dev/null

    stage=$out/stage/postgresql-$major-hyperloglog-hll
    rm -rf "$stage" && mkdir -p "$stage/DEBIAN" "$stage/usr/lib/postgresql/$major/lib" \
        "$stage/usr/share/postgresql/$major/extension"
    ln -s hyperloglog.so "$stage/usr/lib/postgresql/$major/lib/hll.so"
    install -m 644 sql/hll/hll.control sql/hll/hll--*.sql "$stage/usr/share/postgresql/$major/extension/"
    control "postgresql-$major-hyperloglog-hll" "postgresql-$major-hyperloglog (= $version)" \
        "Conflicts: postgresql-$major-hll
Replaces: postgresql-$major-hll
Provides: postgresql-$major-hll
" \
        "postgresql-hll compatible extension hll for PostgreSQL $major, by hyperloglog
 The SQL API, hash family and type modifiers of postgresql-hll (extension hll)
 over the hyperloglog library: dumps of postgresql-hll databases restore unedited." \
        >"$stage/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz --build "$stage" \
        "$out/postgresql-${major}-hyperloglog-hll_${version}_amd64.deb" >/dev/null
    ls "$out"/postgresql-"$major"-hyperloglog*_"$version"_amd64.deb
done
