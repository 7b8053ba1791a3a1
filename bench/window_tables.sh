#!/bin/sh
# Builds bench/window_tables.swift against the release build's modules and runs it on FILE.ndjson.
# Usage: bench/window_tables.sh FILE.ndjson [REPEATS]   (after `swift build -c release`)
set -eu
cd "$(dirname "$0")/.."
build=.build/release
out=$build/window_tables-bench
swiftc -O -o "$out" bench/window_tables.swift \
    -I "$build/Modules" -Xcc -fmodule-map-file=Sources/CJSONC/module.modulemap -I /usr/include/json-c \
    "$build"/WallboardCore.build/*.o "$build"/JSONModel.build/*.o "$build"/JSONC.build/*.o -ljson-c
exec "$out" "$@"
