# Node addon (bindings-node/, package `signbridge`, napi-rs 3).
#
#   make test-node    npm ci (the committed lock; express comes with it, for the webhook example), build the
#                     addon (debug, shared target/), check the committed index.d.ts and binding.js for
#                     drift, tsc --noEmit on the examples, node --test (signing, eID, webhooks, Express)
#   make node-regen   rebuild and rewrite the committed index.d.ts and binding.js
#
# Needs only cargo, node (>= 18) and npm; the npm tools come from bindings-node/package-lock.json.

NODE_DIR := bindings-node
NODE_GEN := $(BUILD)/node-gen
NPM ?= npm
NAPI_BUILD := npx --no-install napi build --platform --js binding.js --dts index.d.ts --no-const-enum

TEST_TARGETS += test-node
.PHONY: test-node node-deps node-regen

# `npm ci`: exactly the committed lock, which it never rewrites (make test leaves git status
# clean) and refuses when package.json and the lock disagree. The lock is the one npm 11
# resolves, optional platform entries (@emnapi/*) included; after changing package.json, run
# `npm install` in bindings-node/ and commit both.
node-deps:
	cd $(NODE_DIR) && $(NPM) ci --no-audit --no-fund --loglevel=error

test-node: node-deps
	$(CARGO) build -q -p signbridge-sim
	rm -rf $(NODE_GEN) && mkdir -p $(NODE_GEN)
	cd $(NODE_DIR) && $(NAPI_BUILD) --output-dir $(abspath $(NODE_GEN))
	@for f in index.d.ts binding.js; do \
	  diff -u $(NODE_DIR)/$$f $(NODE_GEN)/$$f || { \
	    echo "$(NODE_DIR)/$$f is stale: run 'make node-regen' and commit it"; exit 1; }; \
	done
	cp $(NODE_GEN)/*.node $(NODE_DIR)/
	cd $(NODE_DIR) && npx --no-install tsc --noEmit -p examples
	cd $(NODE_DIR) && node --test test/

node-regen: node-deps
	cd $(NODE_DIR) && $(NAPI_BUILD)
