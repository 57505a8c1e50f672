#!/bin/sh
# The hotmem command (package.json "bin"; the build copies it to dist/build/hotmem). `hotmem qemu`
# starts Node on the start-up snapshot the build wrote (dist/bundle/hotmem.blob: the command
# loaded and warm, see snapshot-entry.ts), which Node takes only from its command line, so this is
# a script and not a Node program. The snapshot's first argument is this script's path; the rest
# are the command's. Other commands, and `qemu` where there is no snapshot or the node on PATH is
# not the one that built it (Node refuses a snapshot of another build), start from the bundle's
# loader (bin.cjs): reading and deserializing the 6 MB snapshot costs a start more than the
# bundle's code cache and the modules a short command evaluates (`--version`, `machines`), and
# less than the 240 modules of `qemu`.

# The V8 flags the snapshot is built and run with (build.ts reads this line): strings keep the
# hash seed of the build instead of being rehashed at every start.
flags='--no-rehash-snapshot'

self=$0
case $self in */*) ;; *) self=./$self ;; esac
# npm links the bin (node_modules/.bin/hotmem): follow the links to the package.
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=${self%/*}/$link ;; esac
done
dir=${self%/*}
blob=$dir/../bundle/hotmem.blob

# hotmem.blob.node links to the node that built the snapshot: the same file, not replaced since.
if [ "${1-}" = qemu ] && node=$(command -v node) && [ "$node" -ef "$blob.node" ] && [ "$blob" -nt "$node" ]; then
  exec "$node" $flags --snapshot-blob "$blob" -- "$self" "$@"
fi
exec node "$dir/bin.cjs" "$@"
