#!/usr/bin/env python3
"""Validate signed PDFs with tools we did not write: poppler's `pdfsig` and pyHanko.

    validate_pdfs.py --trust ROOT.pem [--trust ROOT2.pem ...] FILE_OR_DIR...

Every PDF (directories are searched recursively) must have at least one signature, and for every
signature pdfsig must say "Signature is Valid." and pyHanko must find it intact, valid, trusted (to
one of the --trust roots) and covering the whole document, or followed by nothing but further
signatures. Prints one line per signature and ends with 'N passed, N failed'; exits non-zero on
any failure or when no PDF was found.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path


def pdfsig(path: Path) -> list[str]:
    """Problems pdfsig reports, per signature ('' when valid)."""
    out = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=120
    ).stdout
    blocks = re.split(r"^Signature #\d+:", out, flags=re.M)[1:]
    problems = []
    for b in blocks:
        if "Signature is Valid." not in b:
            m = re.search(r"Signature Validation: (.*)", b)
            problems.append(m.group(1) if m else "no validation line")
        else:
            problems.append("")
    return problems


def pyhanko(path: Path, roots: list[Path]) -> list[str]:
    """Problems pyHanko reports, per signature ('' when valid)."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    problems = []
    with path.open("rb") as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_signatures:
            vc = ValidationContext(
                trust_roots=[load_cert_from_pemder(str(r)) for r in roots],
                allow_fetching=False,
                revocation_mode="soft-fail",
            )
            st = validate_pdf_signature(sig, vc)
            wrong = []
            if not st.intact:
                wrong.append("not intact")
            if not st.valid:
                wrong.append("not valid")
            if not st.trusted:
                wrong.append("not trusted")
            level = st.modification_level
            if level is not None and level not in (
                ModificationLevel.NONE,
                ModificationLevel.LTA_UPDATES,
                ModificationLevel.FORM_FILLING,
            ):
                wrong.append(f"modified after signing ({level.name})")
            cov = str(st.coverage)
            if "ENTIRE" not in cov:
                wrong.append(f"coverage {cov}")
            problems.append(", ".join(wrong))
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trust", action="append", type=Path, required=True)
    ap.add_argument("paths", nargs="+", type=Path)
    args = ap.parse_args()
    if shutil.which("pdfsig") is None:
        print("pdfsig not found: install poppler-utils (scripts/install-deps.sh)")
        return 2
    files: list[Path] = []
    for p in args.paths:
        files.extend(sorted(p.rglob("*.pdf")) if p.is_dir() else [p])
    passed = failed = 0
    for f in files:
        by_poppler = pdfsig(f)
        by_hanko = pyhanko(f, args.trust)
        if not by_poppler or len(by_poppler) != len(by_hanko):
            print(f"FAIL {f}: pdfsig sees {len(by_poppler)} signature(s), pyHanko {len(by_hanko)}")
            failed += 1
            continue
        for i, (a, b) in enumerate(zip(by_poppler, by_hanko), start=1):
            if a or b:
                print(f"FAIL {f} signature {i}: pdfsig: {a or 'valid'}; pyHanko: {b or 'valid'}")
                failed += 1
            else:
                print(f"ok   {f} signature {i}: pdfsig and pyHanko: valid, trusted, covering")
                passed += 1
    if not files:
        print("no PDF found")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and files else 1


if __name__ == "__main__":
    sys.exit(main())
