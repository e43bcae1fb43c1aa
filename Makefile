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

.PHONY: lab test bench notebooks venv-lab venv-test chromium clean classroom venv-classroom

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools wheel

# A stamp per extra set: reinstall only when pyproject.toml changes.
$(VENV)/.lab-stamp: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[lab]'
	touch $@

$(VENV)/.test-stamp: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[lab,test]'
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

test: venv-test chromium venv-classroom
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

bench: venv-test
	$(PY) -m benchmarks.run

# Re-execute every notebook in place and normalise it: running it twice leaves git clean.
notebooks: venv-test
	$(PY) tools/notebooks.py run

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# --- classroom: a JupyterHub for a class (classroom/README in README.md, "Teaching a class") ---
# `make classroom [HOST=0.0.0.0] [PORT=8000]`; CLASSROOM_PASSWORD sets the class password.
CLASSROOM_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8000)
CHP := classroom/node_modules/.bin/configurable-http-proxy

$(VENV)/.classroom-stamp: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[lab,classroom]'
	touch $@

# configurable-http-proxy at the version in classroom/package-lock.json; nodejs from Debian if missing.
$(CHP): classroom/package.json classroom/package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's nodejs and npm for configurable-http-proxy"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	cd classroom && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The students' environment (classroom/student_env.py): the kit's .venv when every user can run it,
# else one under /opt/sporelab-classroom built from Debian's python3.
venv-classroom: $(VENV)/.classroom-stamp $(CHP)
	$(PY) classroom/student_env.py ensure

classroom: venv-classroom
	$(PY) classroom/serve.py --ip $(HOST) --port $(CLASSROOM_PORT)
