#!/usr/bin/env bash
# Hand-written lines of the wrappers: tracked files under ffi-c/, bindings-python/ and
# bindings-node/, without tests (test directories and a Rust file's closing `#[cfg(test)]`
# module), examples, lock and config files, and without generated files: those carrying an
# "@generated" banner in their first lines (such as _native.pyi, whose hand-written source is
# bindings-python/stubs/_native.in.pyi, counted) and those reproduced by `make test` (index.d.ts,
# binding.js).
# Usage: scripts/wrapper-lines.sh
set -euo pipefail
cd "$(dirname "$0")/.."
total=0
for dir in ffi-c bindings-python bindings-node; do
  n=0
  while IFS= read -r f; do
    case "$f" in
      */tests/*|*/test/*|*/examples/*|*.lock|*package-lock.json|*package.json|*.toml|*.json|*/index.d.ts|*/binding.js|*.node) continue ;;
    esac
    head -3 "$f" | grep -q '@generated' && continue
    lines=$(awk '/^#\[cfg\(test\)\]$/{exit} {n++} END{print n+0}' "$f")
    n=$((n + lines))
  done < <(git ls-files "$dir")
  printf '%-16s %6d\n' "$dir" "$n"
  total=$((total + n))
done
printf '%-16s %6d\n' total "$total"
