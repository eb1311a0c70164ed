"""API reference pages for the documentation site, generated at build time (MkDocs gen-files).

Renders `api/typescript.md` from bindings-node/index.d.ts (and the facades of
bindings-node/securosys.d.ts, zignsec-eid.d.ts, zignsec-signing.d.ts, onespan.d.ts and
signing.d.ts, generated from the operation table) and `api/c.md` from
include/signbridge.h: every top-level declaration with the documentation comment in front of it,
grouped and listed in the order of the file. Both inputs are themselves generated from the
Rust sources and drift-checked by `make test` (`make node-regen`, `make header-c`), so these pages
always describe the committed API. Nothing is written to the source tree.

Run directly (`python3 scripts/docs_gen_api.py OUT_DIR`) to write the pages into a directory.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DTS = ROOT / "bindings-node" / "index.d.ts"
# The facades generated from the operation table (their classes; their named types stay in the
# file's namespace), and the configuration's typings generated from its JSON Schema.
FACADES = [
    ROOT / "bindings-node" / f
    for f in (
        "securosys.d.ts",
        "zignsec-eid.d.ts",
        "zignsec-signing.d.ts",
        "onespan.d.ts",
        "signing.d.ts",
        "config.d.ts",
    )
]
HEADER = ROOT / "include" / "signbridge.h"


def _strip_jsdoc(comment: str) -> str:
    lines = comment.strip()[3:-2].split("\n")
    out = [re.sub(r"^\s*\* ?", "", line) for line in lines]
    return "\n".join(out).strip()


def _block_end(text: str, start: int) -> int:
    """The end of the declaration starting at `start`: its matching closing brace, or the end
    of the statement when it has no body (a type alias may span several lines)."""
    depth = 0
    i = start
    seen_brace = False
    while i < len(text):
        c = text[i]
        if c == "{":
            depth += 1
            seen_brace = True
        elif c == "}":
            depth -= 1
            if depth == 0 and seen_brace:
                return i + 1
        elif c == "\n" and depth == 0:
            # A statement ends at a newline unless the next line continues it (`| ...`).
            rest = text[i + 1:]
            if not re.match(r"\s*[|&]", rest) and not text[start:i].rstrip().endswith(("=", "|", ",", "(")):
                return i
        i += 1
    return len(text)


def typescript() -> str:
    text = "\n".join(p.read_text() for p in [DTS, *FACADES])
    decl = re.compile(
        r"(?:(/\*\*(?:(?!\*/).)*?\*/)\s*\n)?^export (?:declare )?(class|interface|type|function|enum) (\w+)",
        re.S | re.M,
    )
    kinds = {"class": "Classes", "function": "Functions", "interface": "Interfaces",
             "type": "Types", "enum": "Enums"}
    sections: dict[str, list[str]] = {k: [] for k in kinds.values()}
    for m in decl.finditer(text):
        start = m.start(2) - len("export ") - (len("declare ") if "declare" in text[m.start():m.start(2)] else 0)
        start = text.rfind("export", 0, m.start(2))
        end = _block_end(text, start)
        body = text[start:end].strip()
        doc = _strip_jsdoc(m.group(1)) if m.group(1) else ""
        name, kind = m.group(3), kinds[m.group(2)]
        entry = f"### {name}\n\n"
        if doc:
            entry += doc + "\n\n"
        entry += f"```ts\n{body}\n```\n"
        sections[kind].append(entry)
    out = [
        "# TypeScript API\n",
        "Generated from `bindings-node/index.d.ts` (itself generated from the addon's Rust "
        "sources by napi-rs and checked by `make test`) and the facades generated from the "
        "operation table (`securosys.d.ts`, `zignsec-eid.d.ts`, `zignsec-signing.d.ts`, "
        "`onespan.d.ts`, `signing.d.ts`) and from the configuration's JSON Schema "
        "(`config.d.ts`). Every declaration of the package `signbridge`, with its "
        "documentation, in the order of the file.\n",
    ]
    for title in ["Classes", "Functions", "Interfaces", "Types", "Enums"]:
        if sections[title]:
            out.append(f"## {title}\n")
            out.extend(sections[title])
    return "\n".join(out)


def c_header() -> str:
    text = HEADER.read_text()
    # The opening comment: the conventions every function follows.
    intro_m = re.match(r"/\*(.*?)\*/", text, re.S)
    intro = ""
    if intro_m:
        intro = "\n".join(re.sub(r"^ ?\* ?", "", l) for l in intro_m.group(1).split("\n")).strip()
    body = text[intro_m.end():] if intro_m else text
    lines = body.split("\n")
    groups: dict[str, list[str]] = {"Constants": [], "Types": [], "Functions": []}
    comment: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if s.startswith("//") and not s.startswith("// extern") and "__cplusplus" not in s:
            comment.append(re.sub(r"^// ?", "", s))
            i += 1
            continue
        if s.startswith("/*") and not s.startswith("/* Generated"):
            block = [s]
            while not block[-1].endswith("*/") and i + 1 < len(lines):
                i += 1
                block.append(lines[i].strip())
            joined = "\n".join(block)
            comment = [re.sub(r"^(/\*|\*/|\*) ?", "", l).rstrip("*/ ").rstrip() for l in joined.split("\n")]
            i += 1
            continue
        if not s:
            if comment and i + 1 < len(lines) and lines[i + 1].strip().startswith("//"):
                comment.append("")
            i += 1
            continue
        # A declaration: collect until its end.
        decl = [line]
        if s.startswith("#define"):
            group = "Constants"
            name = s.split()[1]
            if name.startswith(("SIGNBRIDGE_H", "SIGNBRIDGE_VERSION_STR")):
                comment, i = [], i + 1
                continue
        elif s.startswith(("#", "}")) or s.startswith("extern"):
            comment, i = [], i + 1
            continue
        else:
            depth = line.count("{") - line.count("}")
            while (depth > 0 or not decl[-1].rstrip().endswith(";")) and i + 1 < len(lines):
                i += 1
                decl.append(lines[i])
                depth += lines[i].count("{") - lines[i].count("}")
            joined = "\n".join(decl)
            if s.startswith("typedef"):
                group = "Types"
                names = re.findall(r"(\w+)\s*;\s*$", joined) or re.findall(r"\(\*(\w+)\)", joined)
                name = names[-1] if names else s
                fp = re.search(r"\(\*(\w+)\)", joined)
                if fp:
                    name = fp.group(1)
            else:
                group = "Functions"
                m = re.search(r"(\w+)\s*\(", joined)
                name = m.group(1) if m else s
        doc = "\n".join(comment).strip()
        entry = f"### {name}\n\n"
        code = "\n".join(decl).strip()
        entry += f"```c\n{code}\n```\n\n"
        if doc:
            entry += doc + "\n"
        groups[group].append(entry)
        comment = []
        i += 1
    out = [
        "# C API\n",
        "Generated from `include/signbridge.h` (itself generated by cbindgen from `ffi-c/` and "
        "checked by `make test`). Every constant, type and function, with its documentation, in "
        "the order of the header.\n",
        "## Conventions\n",
        "From the header's opening comment:\n",
        "```text\n" + intro + "\n```\n",
    ]
    for title in ["Constants", "Types", "Functions"]:
        out.append(f"## {title}\n")
        out.extend(groups[title])
    return "\n".join(out)


PAGES = {"api/typescript.md": typescript, "api/c.md": c_header}


def _mkdocs() -> None:
    import mkdocs_gen_files  # type: ignore[import-not-found]

    for path, render in PAGES.items():
        with mkdocs_gen_files.open(path, "w") as f:
            f.write(render())


if __name__ == "__main__" and len(sys.argv) == 2:
    out_dir = Path(sys.argv[1])
    for path, render in PAGES.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render())
else:
    _mkdocs()
