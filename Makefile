# Autograd from Scratch | 从零理解自动求导
#   make lab    set everything up, then open the course in JupyterLab
#               (COURSE_LANG=zh or en: the course's language; default: the workspace's, else the locale's)
#   make test   set everything up, then run every test
#   make i18n   extract the messages students read and update the Chinese catalog
SHELL := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV)/bin)
TORCH  ?= torch==2.13.0
PORT   ?= 8888
# The student's language (zh or en). Empty: the workspace's own, else the locale's (zh* -> zh). Given on the
# command line, make exports it to JupyterLab, whose kernels then speak it (autograder.languages).
COURSE_LANG ?=
LANG_FLAG := $(if $(COURSE_LANG),--lang $(COURSE_LANG),)
LOCALE_DIR := autograder/locale
# Jupyter refuses to run as root unless told (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# nbgrader starts console scripts (alembic, jupyter) as subprocesses: they must come from the venv.
export PATH := $(BIN):$(PATH)

.PHONY: setup system-deps lab lab-instructor lint test test-fast bench mutation demo cluster-demo release collect grade \
	feedback export report progress i18n clean

# Instructor targets pass these on to `python -m autograder` when set, e.g.
#   make collect EXPORT=submissions.zip ROSTER=roster.csv
#   make grade DB=postgresql://grader@dbhost/autograd SCHEDULER=tcp://head:8786
#   make export FILE=grades.csv ASSIGNMENT=01_leaf_tensors
#   make report INSTRUCTOR_LANG=zh     (what the instructor's commands print: en, the default, or zh)
EXPORT     ?=
ROSTER     ?=
FILE       ?= grades.csv
ASSIGNMENT ?=
DB         ?=
SCHEDULER  ?=
JOBS       ?=
INSTRUCTOR_LANG ?=
# `make lab-instructor`: HEADLESS=1 on a server (no browser; HEADLESS=0, no, false or empty: open one),
# IP= the address to listen on (default 127.0.0.1, with or without HEADLESS), TOKEN= to fix the token
HEADLESS   ?=
IP         ?= 127.0.0.1
TOKEN      ?=
NO_BROWSER := $(if $(filter-out 0 no NO No false FALSE False,$(strip $(HEADLESS))),--no-browser,)
AG      = $(BIN)/python -m autograder $(if $(INSTRUCTOR_LANG),--lang $(INSTRUCTOR_LANG),)
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

# JupyterLab's own menus follow the workspace's language (jupyter-config/lang/<lang>, see its README).
lab: setup
	$(BIN)/python -m autograder workspace $(LANG_FLAG)
	lang=$$($(BIN)/python -m autograder workspace --show-language) && cd workspace && \
	  JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config/student:$(CURDIR)/jupyter-config/lang/$$lang \
	  $(BIN)/jupyter lab --port=$(PORT) $(ROOT_FLAG)

lab-instructor: setup
	cd course && JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config/instructor $(BIN)/jupyter lab --port=$(PORT) $(ROOT_FLAG) \
	  --ip=$(IP) $(NO_BROWSER) $(if $(TOKEN),--IdentityProvider.token='$(TOKEN)',)

# ruff: likely bugs and unused imports; vulture: dead code (tests/minigrad/vulture_whitelist.py lists
# the torch-API names that only users call).
LINTED := minigrad autograder bench tests
lint: setup
	$(BIN)/ruff check $(LINTED)
	$(BIN)/vulture $(LINTED)

# One test process per core (pytest-xdist): the notebook and pipeline tests wait on kernels.
test: setup lint
	$(BIN)/python -m pytest -q -n auto --dist worksteal

# The tests that start no kernel or browser (a few minutes).
test-fast: setup
	$(BIN)/python -m pytest -q -n auto -m "not slow"

# Mutation testing (not part of `make test`: it takes a while). AREA: minigrad, or another area
# that tests/mutation/run.py knows.
AREA ?= minigrad
mutation: setup
	$(BIN)/python tests/mutation/run.py $(AREA)

bench: setup
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/scaling.py
	$(BIN)/python bench/judge.py
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
	$(BIN)/python -m autograder progress $(LANG_FLAG)

# The messages students read (_() and N_() in autograder/) into the template, then into the zh catalog,
# then what the catalog still lacks. Translators edit autograder/locale/zh/LC_MESSAGES/autograder.po.
i18n: setup
	$(BIN)/pybabel extract -F $(LOCALE_DIR)/babel.cfg -k _ -k N_ -c TRANSLATORS: --no-location --sort-output \
	  -o $(LOCALE_DIR)/autograder.pot autograder
	if [ -f $(LOCALE_DIR)/zh/LC_MESSAGES/autograder.po ]; then \
	  $(BIN)/pybabel update -i $(LOCALE_DIR)/autograder.pot -d $(LOCALE_DIR) -D autograder -l zh; \
	else \
	  $(BIN)/pybabel init -i $(LOCALE_DIR)/autograder.pot -d $(LOCALE_DIR) -D autograder -l zh; \
	fi
	-$(BIN)/python -m autograder.i18n zh

clean:
	rm -rf $(VENV) workspace test-artifacts course/release course/autograded course/feedback course/exchange
