# Autograd from Scratch | 从零理解自动求导
#   make lab    set everything up, then open the course in JupyterLab
#   make test   set everything up, then run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV)/bin)
TORCH  ?= torch==2.13.0
PORT   ?= 8888
# Jupyter refuses to run as root unless told (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# nbgrader starts console scripts (alembic, jupyter) as subprocesses: they must come from the venv.
export PATH := $(BIN):$(PATH)

.PHONY: setup system-deps lab lab-instructor test test-fast bench demo cluster-demo release collect grade feedback \
	export report progress clean

# Instructor targets pass these on to `python -m autograder` when set, e.g.
#   make collect EXPORT=submissions.zip ROSTER=roster.csv
#   make grade DB=postgresql://grader@dbhost/autograd SCHEDULER=tcp://head:8786
#   make export FILE=grades.csv ASSIGNMENT=01_leaf_tensors
EXPORT     ?=
ROSTER     ?=
FILE       ?= grades.csv
ASSIGNMENT ?=
DB         ?=
SCHEDULER  ?=
JOBS       ?=
# `make lab-instructor` on a headless server: HEADLESS=1 (no browser, listen on IP), TOKEN= to fix the token
HEADLESS   ?=
IP         ?= 127.0.0.1
TOKEN      ?=
AG      = $(BIN)/python -m autograder
DB_ARG  = $(if $(DB),--db '$(DB)',)
A_ARG   = $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT),)

setup: $(VENV)/.installed system-deps

# Reinstall only when pyproject.toml or the requested torch changes.
$(VENV)/torch-spec: FORCE
	@mkdir -p $(VENV)
	@echo '$(TORCH)' | cmp -s - $@ || echo '$(TORCH)' > $@

$(VENV)/.installed: pyproject.toml $(VENV)/torch-spec
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q '$(TORCH)'
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

# graphviz's `dot` draws the computational graphs; bubblewrap sandboxes grading on Linux.
system-deps:
	@missing=""; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	{ [ "$$(uname)" != Linux ] || command -v bwrap >/dev/null; } || missing="$$missing bubblewrap"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "*** Missing system packages:$$missing"; \
	    echo "*** Install them with:  sudo apt-get install$$missing   (macOS: brew install graphviz)"; \
	  fi; \
	fi

FORCE:

lab: setup
	$(BIN)/python -m autograder workspace
	cd workspace && JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config/student $(BIN)/jupyter lab --port=$(PORT) $(ROOT_FLAG)

lab-instructor: setup
	cd course && JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config/instructor $(BIN)/jupyter lab --port=$(PORT) $(ROOT_FLAG) \
	  $(if $(HEADLESS),--no-browser --ip=$(IP),) $(if $(TOKEN),--IdentityProvider.token='$(TOKEN)',)

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/engine.py
	@if [ -f bench/grading.py ]; then $(BIN)/python bench/grading.py; fi
	@if [ -f bench/chapters.py ]; then $(BIN)/python bench/chapters.py; fi

demo: setup
	$(AG) demo

# PostgreSQL, a Dask scheduler and workers on this machine, and a class graded through them
cluster-demo: setup
	$(BIN)/python -m autograder.pipeline.clusterdemo

release: setup
	$(AG) release $(DB_ARG) $(A_ARG)

collect: setup
	@test -n "$(EXPORT)" || { echo "usage: make collect EXPORT=submissions.zip [ROSTER=roster.csv] [ASSIGNMENT=...]"; exit 2; }
	$(AG) collect '$(EXPORT)' $(if $(ROSTER),--roster '$(ROSTER)',) $(A_ARG)

grade: setup
	$(AG) grade $(DB_ARG) $(A_ARG) $(if $(SCHEDULER),--scheduler $(SCHEDULER),) $(if $(JOBS),--jobs $(JOBS),)

feedback: setup
	$(AG) feedback $(DB_ARG) $(A_ARG)

export: setup
	$(AG) export '$(FILE)' $(DB_ARG) $(A_ARG) $(if $(ROSTER),--roster '$(ROSTER)',)

report: setup
	$(AG) report $(DB_ARG) $(A_ARG)

progress: setup
	$(BIN)/python -m autograder progress

clean:
	rm -rf $(VENV) workspace test-artifacts course/release course/autograded course/feedback course/exchange
