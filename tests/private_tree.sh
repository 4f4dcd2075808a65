# Sourced: a private copy of the system PostgreSQL 15 installation under target/,
# for installing the compatible `hll` extension beside (never over) the Debian
# postgresql-hll package. PostgreSQL finds its share and lib directories relative to
# its binaries, so a copy of /usr/lib/postgresql/15 and /usr/share/postgresql/15 under
# one prefix is a complete installation (with the server headers, for building other
# extensions such as Citus into it). The peer's own files are left out.
#
#   private_tree DIR [--with-peer]
#                        create it (once; refreshed when the system server changes)
#                        and print the path of its pg_config; --with-peer keeps the
#                        Debian postgresql-hll files (for the in-place swap test)

private_tree() {
    local dir=$1 with_peer=${2:-} stamp
    stamp=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || echo unknown)+headers$with_peer
    if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$dir"
        mkdir -p "$dir/usr/lib/postgresql" "$dir/usr/share/postgresql"
        cp -a /usr/lib/postgresql/15 "$dir/usr/lib/postgresql/"
        cp -a /usr/share/postgresql/15 "$dir/usr/share/postgresql/"
        mkdir -p "$dir/usr/include"
        cp -a /usr/include/postgresql "$dir/usr/include/"
        if [ "$with_peer" != --with-peer ]; then
            rm -f "$dir"/usr/lib/postgresql/15/lib/hll.so "$dir"/usr/share/postgresql/15/extension/hll[.-]*
            rm -rf "$dir"/usr/lib/postgresql/15/lib/bitcode/hll*
        fi
        echo "$stamp" >"$dir/.stamp"
    fi
    echo "$dir/usr/lib/postgresql/15/bin/pg_config"
}
