# longhaul: see README.md. `make demo` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_BIN := node_modules/.bin
INSTALL_STAMP := node_modules/.longhaul-install-stamp
# Debian packages used by name: a pip-installed AWS CLI v1 may come first on PATH.
AWS_CLI := /usr/bin/aws
CHROMIUM := /usr/bin/chromium

.PHONY: help install typecheck test demo bench clean

help:
	@echo "make demo       install, then run the video pipeline locally end to end"
	@echo "make test       install, type-check, run every test"
	@echo "make bench      run the benchmarks (figures, no assertions)"
	@echo "make build      bundle each catalog function into dist/functions/<name>.zip"
	@echo "make layers     build dist/layers/ffmpeg.zip and dist/layers/tfjs.zip"
	@echo "make synth      synthesize Terraform into cdktf.out/"
	@echo "make plan|apply|destroy   deploy with Terraform (needs AWS credentials and the Terraform registry)"
	@echo "make clean      remove build output and local data"

# npm ci only when the lock file changed since the last install.
install: $(INSTALL_STAMP) $(AWS_CLI) $(CHROMIUM)
$(INSTALL_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian packages a feature needs, installed when missing: the AWS CLI v2 (a test client of `longhaul serve`)
# and Chromium (the console's tests drive it with playwright-core).
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get install -y $(1) >/dev/null || ($$SUDO apt-get update >/dev/null && $$SUDO apt-get install -y $(1) >/dev/null)
$(AWS_CLI):
	@$(call APT_INSTALL,awscli)
$(CHROMIUM):
	@$(call APT_INSTALL,chromium)

typecheck: install
	$(NODE_BIN)/tsc --noEmit -p .

test: install typecheck
	$(NODE_BIN)/mocha 'test/**/*.test.ts'

DEMO_DIR := .longhaul/demo
DEMO_CLIP := $(DEMO_DIR)/source-720p30-2min.mp4

# The video pipeline end to end on this machine: local S3/DynamoDB, every task in its own Lambda worker.
demo: install
	node --import tsx scripts/make-demo-clip.ts $(DEMO_CLIP)
	node bin/longhaul.mjs run video --input $(DEMO_CLIP) --output $(DEMO_DIR)/output-360p.mp4 --data-dir $(DEMO_DIR)/data --chunk-seconds 10

# The entry points only: the other bench/ files are their modules and child processes.
BENCHES := bench/lambda-runner.ts bench/engine.ts bench/serve.ts bench/video.ts bench/etl.ts bench/ml.ts
bench: install
	@for b in $(BENCHES); do echo "== $$b"; AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node --import tsx $$b || exit 1; done

# ---- Packaging and deployment (infra/, layers/, scripts/; docs/deploy.md) ----
# TF=tofu for OpenTofu. Terraform state lives in terraform-state/ (outside cdktf.out/, so `make clean` keeps it).
TF ?= terraform
export TF
LAYER_ZIPS := dist/layers/ffmpeg.zip dist/layers/tfjs.zip
.PHONY: build layers check-sizes synth plan apply destroy

build: install
	$(NODE_BIN)/tsx scripts/build-functions.ts

layers: $(LAYER_ZIPS)
# The zip is rewritten only when its bytes change; touch tells make it is up to date either way.
dist/layers/ffmpeg.zip: layers/ffmpeg.ts infra/packaging/deterministic-zip.ts $(INSTALL_STAMP)
	$(NODE_BIN)/tsx scripts/build-layers.ts ffmpeg
	@touch $@
dist/layers/tfjs.zip: layers/tfjs.ts layers/tfjs-workload.mjs infra/packaging/deterministic-zip.ts $(INSTALL_STAMP)
	$(NODE_BIN)/tsx scripts/build-layers.ts tfjs
	@touch $@

check-sizes: build layers
	$(NODE_BIN)/tsx scripts/check-sizes.ts

synth: check-sizes
	$(NODE_BIN)/tsx main.ts
	@echo "synthesized cdktf.out/stacks/$${LONGHAUL_STACK:-dev}/cdk.tf.json"

plan: synth
	$(NODE_BIN)/tsx scripts/terraform.ts plan

apply: install
	$(NODE_BIN)/tsx scripts/terraform.ts apply

destroy: install
	$(NODE_BIN)/tsx scripts/terraform.ts destroy

clean:
	rm -rf dist cdktf.out .longhaul
