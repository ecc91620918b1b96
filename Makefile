# Quick start:  make run   (index seeds/ and serve on http://127.0.0.1:$(PORT))
#               make test  (the whole test suite, as CI runs it)
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
HOST   ?= 127.0.0.1
INDEX_DIR ?= var/index
BIN    := $(VENV)/bin

.PHONY: install run index test test-fast typecheck bench bench-scale soak clean browser debian-packages

# Debian packages the tests need: Chromium and a CJK font (so Chinese renders
# in screenshots) for the browser tests, rsync for `newsearch sync`, npm for
# axe-core.  Installed only when missing (needs root or sudo).
DEBIAN_PKGS := chromium fonts-noto-cjk rsync npm
AXE := tests/axe/node_modules/axe-core/axe.min.js
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

index: install
	$(BIN)/newsearch build seeds/ --index-dir $(INDEX_DIR) --vocab vocab.example.tsv --quiet

run: index
	$(BIN)/newsearch serve --host $(HOST) --port $(PORT) --index-dir $(INDEX_DIR)

debian-packages:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
	    || ! command -v rsync >/dev/null || ! command -v npm >/dev/null; then \
	  echo "installing $(DEBIAN_PKGS) from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEBIAN_PKGS) >/dev/null; \
	fi

browser: debian-packages

# axe-core, pinned in tests/axe/package-lock.json, for the accessibility tests.
$(AXE): tests/axe/package.json tests/axe/package-lock.json | debian-packages
	npm ci --prefix tests/axe --no-audit --no-fund --silent
	touch $@

test: install debian-packages $(AXE)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

# Everything but the slow, corpus and browser tests: under a minute on 2 shared cores.
test-fast: install
	$(BIN)/python -m pytest -m "not slow and not corpus and not e2e"

typecheck: install
	$(BIN)/python -m mypy

bench: install
	$(BIN)/python bench/index_speed.py
	$(BIN)/python bench/query_speed.py
	$(BIN)/python bench/title_rank.py
	$(BIN)/python bench/http_speed.py

# Scale benchmark on a generated archive of N articles (bench/README.md, "scale.py").
# Files go to ../scale-work/N (outside the repository); steps already done are reused.
N ?= 100000
SCALE_ARGS ?=
bench-scale: install
	$(BIN)/python bench/scale.py $(N) $(SCALE_ARGS)

soak: install
	$(BIN)/python bench/soak.py --duration 300 --workers 4 --clients 8

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache *.egg-info
