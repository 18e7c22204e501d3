# colorkit: the two commands a newcomer needs are `make run` and `make test`.
# Both create (or reuse) a local virtual environment in .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PRESET ?= cpu
DATA ?=
# torch as this machine or Colab has it; pip keeps an installed torch that satisfies colorkit's torch>=2.1.
TORCH ?= torch torchvision
TEST_HOME := $(CURDIR)/.test_home
# speed benchmarks (need nothing); cpu_quality.py and colorize_quality.py take a --checkpoint, gpu_check.py a GPU
SPEED_BENCHMARKS := lab_speed prepare train_step fullres metrics_speed soft_encode hint_latency

.PHONY: run test browser install lab site sync check-notebooks bench gpu-check references clean help

help:
	@echo "make run   [PRESET=cpu|gpu|smoke] [DATA=folder]  execute the whole course into runs/<timestamp>/"
	@echo "make test                                      everything CI checks (installs chromium for the browser tests)"
	@echo "make lab                                       open the course in JupyterLab (from .venv)"
	@echo "make site                                      the course as a static site in site/ (latest run, else smoke)"
	@echo "make sync                                      pair notebooks/*.py with .ipynb (after editing a .py)"
	@echo "make bench                                     run the speed benchmarks (prints RESULT lines)"
	@echo "make gpu-check                                 on a CUDA machine: every lesson's gpu run for a few steps"
	@echo "make references DATA=folder|coco [PRESET=gpu]  train the reference models again (runs/references-<preset>/)"

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c "import torch, torchvision" 2>/dev/null || $(PY) -m pip install $(TORCH)
	$(PY) -m pip install -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# the browser tests' headless Chromium: found, else installed with apt-get (sudo -n when not root), else one line
# naming the fix (exit 2) before anything else is installed
browser:
	@bash .ci/ensure_browser.sh

lab: $(VENV)/.installed
	$(VENV)/bin/jupyter lab notebooks/

site: $(VENV)/.installed
	$(PY) -m colorkit.course.site --out site

run: $(VENV)/.installed
	$(VENV)/bin/colorkit run --preset $(PRESET) $(if $(DATA),--data "$(abspath $(DATA))")

test: browser $(VENV)/.installed
	$(VENV)/bin/colorkit run --check
	rm -rf $(TEST_HOME)
	COLORKIT_PRESET=smoke COLORKIT_HOME=$(TEST_HOME) MPLBACKEND=Agg $(PY) -m pytest -q -p no:cacheprovider tests
	rm -rf $(TEST_HOME)
	COLORKIT_PRESET=smoke COLORKIT_HOME=$(TEST_HOME) MPLBACKEND=Agg $(PY) -m pytest -q -p no:cacheprovider --nbval-lax notebooks

sync: $(VENV)/.installed
	$(VENV)/bin/jupytext --sync notebooks/[0-9][0-9]_*.py
	$(VENV)/bin/colorkit run --check

check-notebooks: $(VENV)/.installed
	$(VENV)/bin/colorkit run --check

bench: $(VENV)/.installed
	@for b in $(SPEED_BENCHMARKS); do echo "== benchmarks/$$b.py"; $(PY) benchmarks/$$b.py || exit 1; done

gpu-check: $(VENV)/.installed
	$(PY) benchmarks/gpu_check.py

references: $(VENV)/.installed
	@test -n "$(DATA)" || { echo "make references: give DATA=<folder of photos, or coco, tiny-imagenet, ...>"; exit 2; }
	$(PY) -m colorkit.reference_recipe "$(DATA)" --preset $(PRESET) --out runs/references-$(PRESET)

clean:
	rm -rf $(TEST_HOME) .pytest_cache build site *.egg-info
