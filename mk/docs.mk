# The documentation site (docs/, mkdocs.yml): MkDocs Material in a private venv with pinned
# versions, strict (a broken internal link fails), API references generated from the stubs, the
# TypeScript typings, the C header and rustdoc. See scripts/docs-build.sh.
#
#   make docs    build build/docs/site (part of make test)

TEST_TARGETS += docs
.PHONY: docs

docs:
	CARGO="$(CARGO)" scripts/docs-build.sh
