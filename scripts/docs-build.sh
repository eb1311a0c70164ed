#!/usr/bin/env bash
# Build the documentation site (`make docs`) into build/docs/site:
#   1. a private venv (build/docs/venv) with the pinned tools of scripts/docs-requirements.txt,
#      installed once and again only when that file changes;
#   2. `mkdocs build` with strict: true (mkdocs.yml): a broken internal link or anchor, a page
#      missing from the navigation or a missing snippet fails the build. The TypeScript and C API
#      pages are generated on the way (scripts/docs_gen_api.py), the Python one by mkdocstrings;
#   3. rustdoc of the core (`cargo doc --no-deps -p signbridge`), copied into api/rust/;
#   4. the links the site cannot check itself: README.md's relative links and the rustdoc link.
# DOCS_SKIP_RUSTDOC=1 skips step 3 (a quick look at the pages).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
PYTHON=${PYTHON:-python3}
OUT=build/docs
VENV=$OUT/venv
SITE=$OUT/site
REQ=scripts/docs-requirements.txt
start=$(date +%s)

if ! cmp -s "$REQ" "$VENV/.requirements" 2>/dev/null; then
  echo "docs: installing the pinned MkDocs tools into $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQ"
  cp "$REQ" "$VENV/.requirements"
fi

rm -rf "$SITE"
# Not --quiet: it would hide the warnings that strict mode counts. The log is shown on failure.
export NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true
if ! "$VENV/bin/mkdocs" build --strict --config-file mkdocs.yml --site-dir "$SITE" >"$OUT/mkdocs.log" 2>&1; then
  grep -v '^INFO' "$OUT/mkdocs.log" >&2
  echo "docs: mkdocs build failed (strict: every warning above is an error; full log: $OUT/mkdocs.log)" >&2
  exit 1
fi

if [ "${DOCS_SKIP_RUSTDOC:-0}" != 1 ]; then
  # Its warnings (unresolved intra-doc links in the core today) go to the log, not the output.
  if ! "$CARGO" doc -q --no-deps -p signbridge >"$OUT/rustdoc.log" 2>&1; then
    cat "$OUT/rustdoc.log" >&2
    echo "docs: cargo doc failed" >&2
    exit 1
  fi
  n=$(grep -c '^warning' "$OUT/rustdoc.log" || true)
  [ "$n" = 0 ] || echo "docs: rustdoc reported $n warning(s), see $OUT/rustdoc.log"
  doc_dir=${CARGO_TARGET_DIR:-target}/doc
  mkdir -p "$SITE/api/rust"
  cp -r "$doc_dir/signbridge" "$doc_dir/static.files" "$SITE/api/rust/"
  for f in crates.js search.index search-index.js settings.html help.html src src-files.js trait.impl type.impl; do
    [ -e "$doc_dir/$f" ] && cp -r "$doc_dir/$f" "$SITE/api/rust/"
  done
  test -f "$SITE/api/rust/signbridge/index.html" || {
    echo "docs: api/rust/signbridge/index.html is missing after cargo doc" >&2; exit 1; }
fi

# README.md is read on the forge, not in the site: check its relative links here.
"$VENV/bin/python" - <<'PY'
import re, sys
from pathlib import Path
bad = []
text = Path("README.md").read_text()
for target in re.findall(r"\]\(([^)]+)\)", text):
    if re.match(r"[a-z]+:", target) or target.startswith("#"):
        continue
    path = target.split("#")[0]
    if not Path(path).exists():
        bad.append(target)
if bad:
    sys.exit("docs: README.md links to missing files: " + ", ".join(bad))
PY

echo "docs: built $SITE/index.html in $(( $(date +%s) - start )) s"
