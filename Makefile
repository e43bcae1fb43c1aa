# sporelab: `make lab` to teach, `make test` to check, `make bench` to measure.
# Every target bootstraps .venv itself and is quick when it is already set up.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
HOST   ?= 127.0.0.1
PORT   ?= 8888

# The browser tests drive Debian's chromium; Playwright must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: lab test bench notebooks venv-lab venv-test chromium clean book venv-book classroom venv-classroom

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools wheel

# A stamp per extra set: reinstall only when pyproject.toml changes.
$(VENV)/.lab-stamp: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[lab]'
	# Issue 10: the data-parallel lab starts MPI engines (mpi4py, mpich, ipyparallel).
	$(PIP) install --quiet -e '.[dist]'
	touch $@

$(VENV)/.test-stamp: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[lab,test,book,classroom,dist]'
	# torch is only an oracle and a benchmark peer: the local CPU wheel, never the registry's CUDA build.
	$(PIP) install --quiet torch==2.13.0 \
	  || echo "torch==2.13.0 could not be installed here: the tests that use it as an oracle will skip"
	touch $@

# Every JupyterLab sporelab starts (make lab, the browser tests, the classroom's student servers,
# all from this venv) gets binder/overrides.json (no news prompt) and binder/jupyter_server_config.py
# (kernel messages without Nagle's delay), installed by Binder's own postBuild.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): binder/overrides.json binder/postBuild binder/jupyter_server_config.py | $(PY)
	PATH="$(abspath $(VENV))/bin:$$PATH" NB_PYTHON_PREFIX= binder/postBuild

# npm for a node package the kit needs; as root, Debian's nodejs and npm are installed when missing.
define ensure_npm
@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
  echo "installing Debian's nodejs and npm for $(1)"; \
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
fi
endef

# axe-core for the browser tests' accessibility checks (tests/browser/axe.py), at the version in
# tests/browser/package-lock.json, injected into the page from this file (never fetched at run time).
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	$(call ensure_npm,axe-core)
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The live figure's renderer, widgets/ (issue 20): its dev tools at the versions in
# widgets/package-lock.json, then its JSDoc types checked by tsc and its node tests. Building
# sporelab needs none of this: setup.py bundles widgets/src/ with Python alone.
JS_TOOLS := widgets/node_modules/.package-lock.json
$(JS_TOOLS): widgets/package.json widgets/package-lock.json
	$(call ensure_npm,the renderer's checks)
	cd widgets && npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: js-check
js-check: $(JS_TOOLS)
	cd widgets && npm run --silent typecheck && npm test --silent

# make test and make check run the renderer's checks before pytest.
test: js-check
check: js-check

venv-lab: $(VENV)/.lab-stamp $(LAB_OVERRIDES)
venv-test: $(VENV)/.test-stamp $(LAB_OVERRIDES) $(AXE)

# The browser tests drive Debian's chromium; as root we install it when it is missing.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@# No CJK font is installed: sporelab ships its own (sporelab/widgets/fonts/), and the book's
	@# browser test hides the system's fonts from Chromium to show that (tests/test_book.py).

# JupyterLab refuses to start as root without --allow-root (containers, classroom VMs).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: venv-lab
	JUPYTER_CONFIG_PATH=$(CURDIR)/classroom/nbgrader/student $(VENV)/bin/jupyter lab --ip=$(HOST) --port=$(PORT) --ServerApp.root_dir=notebooks --no-browser $(ROOT_FLAG)

# ruff first (pyproject.toml [tool.ruff]): a lint error stops the run before the slow part.
.PHONY: lint check
lint: venv-test
	$(VENV)/bin/ruff check --quiet .

# SPORELAB_REQUIRE_ALL=1: what this target installs (mpi4py + MPICH, torch, chromium, the classroom's
# proxy) must be there, so a test that needs a missing one fails instead of skipping (tests/_requires.py).
test: venv-test chromium venv-classroom lint
	SPORELAB_REQUIRE_ALL=1 $(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

# The fast inner loop: lint, the renderer's node tests, then every unit test and doctest; no browser,
# hub, MPI world, book, Binder build or notebook run (tests/_system.py marks those "system").
check: venv-test lint
	$(PY) -m pytest -q -m "not system"; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

# Mutation testing of one module against its mirror tests (or TESTS="tests/a.py ..."); prints the
# survivors. Minutes per module on 2 cores: by hand, never in make test (tools/mutate.py).
.PHONY: mutate
$(VENV)/.mutate-stamp: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[mutate]'
	touch $@

mutate: venv-test $(VENV)/.mutate-stamp
	@test -n "$(MODULE)" || { echo "usage: make mutate MODULE=sporelab/_checks.py [TESTS=\"tests/test_checks.py\"]"; exit 2; }
	$(PY) -m tools.mutate $(MODULE) $(if $(TESTS),--tests $(TESTS),)

bench: venv-test
	$(PY) -m benchmarks.run

# Re-execute every notebook in place and normalise it: running it twice leaves git clean.
notebooks: venv-test
	$(PY) -m tools.notebooks run

# On a machine with an NVIDIA GPU: CuPy (the gpu extra, or the one already installed when offline),
# every gpu-marked test on real CuPy, the gluon_parameter notebook on gpu(0), the GPU benchmarks, one
# table. Without a GPU: one line saying so, exit 1. Uses the system Python (it has CuPy), not .venv.
GPU_PYTHON ?= python3
.PHONY: gpu-check
gpu-check:
	@$(GPU_PYTHON) -m tools.gpu_check

# The book: the notebooks as a website in build/book/ (stored outputs, no kernel, no network).
# Launch buttons: BOOK_REPO_URL, BOOK_BRANCH, BOOK_HUB_URL, BOOK_BINDER_URL from the environment or
# the command line (`make book BOOK_HUB_URL=https://hub.school.edu`); defaults in book/book_config.py.
$(VENV)/.book-stamp: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[book]'
	touch $@

venv-book: $(VENV)/.book-stamp

book: venv-book
	$(PY) -m book.build

# nbgrader assignments generated from the labs (classroom/assignments.py), released into
# classroom/course/release/ by `nbgrader generate_assignment`.
.PHONY: assignments
assignments: venv-test
	$(PY) -m classroom.assignments release

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# --- classroom: a JupyterHub for a class (classroom/README in README.md, "Teaching a class") ---
# `make classroom [HOST=0.0.0.0] [PORT=8000]`; CLASSROOM_PASSWORD sets the workshop's class password.
CLASSROOM_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8000)
CHP := classroom/node_modules/.bin/configurable-http-proxy

$(VENV)/.classroom-stamp: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[lab,classroom,dist]'
	touch $@

# configurable-http-proxy at the version in classroom/package-lock.json; nodejs from Debian if missing.
$(CHP): classroom/package.json classroom/package-lock.json
	$(call ensure_npm,configurable-http-proxy)
	cd classroom && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The students' environment (classroom/student_env.py): the kit's .venv when every user can run it,
# else one under /opt/sporelab-classroom built from Debian's python3.
venv-classroom: $(VENV)/.classroom-stamp $(CHP)
	$(PY) -m classroom.student_env ensure

# Who gets in and how (README, "Teaching a class"): ROSTER=students.csv (a password each) or first
# use; WORKSHOP=1 (one shared password: anyone can be anyone); CERT=/KEY= for HTTPS; INSECURE_HTTP=1
# to allow plain HTTP on a non-loopback HOST.
CLASSROOM_AUTH := $(if $(ROSTER),--roster $(ROSTER)) $(if $(filter 1,$(WORKSHOP)),--workshop) \
  $(if $(CERT),--cert $(CERT)) $(if $(KEY),--key $(KEY)) $(if $(filter 1,$(INSECURE_HTTP)),--insecure-http)

classroom: venv-classroom
	$(PY) -m classroom.serve --ip $(HOST) --port $(CLASSROOM_PORT) $(CLASSROOM_AUTH) $(if $(PRESTART),--prestart)
