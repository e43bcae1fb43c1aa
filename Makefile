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

.PHONY: lab test bench notebooks venv-lab venv-test chromium clean

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
	$(PIP) install --quiet -e '.[lab,test]'
	# Issue 10: MPI (mpi4py + the mpich wheel) for the distributed tests.
	$(PIP) install --quiet -e '.[dist]'
	# torch is only an oracle and a benchmark peer: the local CPU wheel, never the registry's CUDA build.
	$(PIP) install --quiet torch==2.13.0 \
	  || echo "torch==2.13.0 could not be installed here: the tests that use it as an oracle will skip"
	touch $@

venv-lab: $(VENV)/.lab-stamp
venv-test: $(VENV)/.test-stamp

# The browser tests drive Debian's chromium; as root we install it when it is missing.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# JupyterLab refuses to start as root without --allow-root (containers, classroom VMs).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: venv-lab
	$(VENV)/bin/jupyter lab --ip=$(HOST) --port=$(PORT) --ServerApp.root_dir=notebooks --no-browser $(ROOT_FLAG)

test: venv-test chromium
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

bench: venv-test
	$(PY) -m benchmarks.run

# Re-execute every notebook in place and normalise it: running it twice leaves git clean.
notebooks: venv-test
	$(PY) tools/notebooks.py run

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
