# The two commands of the README: `make lab` (set up and open the course) and
# `make test` (set up and run every test). Both create and reuse .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Learners get what the course and the homework use; the test and bench tools come on top.
LEARNER := $(VENV)/.installed-learner
TESTER  := $(VENV)/.installed-test
HOST   ?= 127.0.0.1
PORT   ?= 8866
# Jupyter refuses to run as root unless told; containers (Binder, CI) often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help install lab dashboard test bench execute homework grade merge-hand-scores loadtest clean

help:
	@echo "make install    set up .venv only (then .venv/bin/python, .venv/bin/pytest ... work)"
	@echo "make lab        set up .venv and open the course in JupyterLab"
	@echo "make dashboard  serve the Playground with Voila on http://$(HOST):$(PORT)"
	@echo "  POOL=20 MAX_KERNELS=40 CULL=300 make dashboard   ... for a class: warm kernel pool, cap, idle timeout"
	@echo "make test       set up .venv and run every test (unit, notebooks, browser)"
	@echo "make bench      run the speed benchmarks"
	@echo "make execute    re-execute every notebook in place"
	@echo "make homework   build homework/dist (student + autograder versions)"
	@echo "make grade SUBMISSIONS=dir/   grade a folder of submissions into a gradebook CSV"
	@echo "make grade SUBMISSIONS=dir/ ONLY=file   regrade one file, updating its row of the gradebook"
	@echo "make merge-hand-scores SCORES=sheet.csv GRADEBOOK=book.csv   copy hand marks into the gradebook"
	@echo "make loadtest   20 simulated students on one local Voila, warm pool and cold; where the first picture goes (minutes)"
	@echo "  make loadtest ARGS=\"--sessions 5 --warm\"   ... fewer visitors, one start only (--help: every option)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changes; a second run is a no-op.
$(LEARNER): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(LEARNER)

$(TESTER): pyproject.toml $(LEARNER)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(TESTER)

install: $(LEARNER)

lab: $(LEARNER)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb

# The course's Voila template (no CDN links, a "connection lost" banner) lives in share/;
# deploy/voila_guard.py refuses kernel websockets that would freeze Voila 0.5, and
# deploy/course_voila.py is `voila` that also answers at …/06_playground.ipynb (docs/deploy.md).
# For a class: POOL=20 pre-starts 20 kernels (the log says when they are warm), MAX_KERNELS=40
# caps visitors' kernels (past it: a "room is full, retry in a minute" page), CULL=600 sets the
# idle-kernel timeout in seconds (voila.json: 300).
dashboard: $(LEARNER)
	JUPYTER_PATH=$(CURDIR)/share/jupyter PYTHONPATH=$(CURDIR)/deploy $(BIN)/python -m course_voila --Voila.ip=$(HOST) \
		--port=$(PORT) --no-browser --template=course \
		--Voila.kernel_websocket_connection_class=voila_guard.V1OnlyConnection \
		$(if $(POOL),--CourseVoila.pool=$(POOL)) $(if $(MAX_KERNELS),--CourseVoila.max_kernels=$(MAX_KERNELS)) \
		$(if $(CULL),--MappingKernelManager.cull_idle_timeout=$(CULL)) notebooks/06_playground.ipynb

loadtest: $(TESTER)
	$(BIN)/python benchmarks/loadtest.py $(ARGS)

test: $(TESTER)
	$(BIN)/python -m pytest

bench: $(TESTER)
	$(BIN)/python benchmarks/run_all.py

execute: $(LEARNER)
	$(BIN)/python scripts/execute_notebooks.py

homework: $(LEARNER)
	$(BIN)/python homework/build.py

grade: $(LEARNER)
	@test -n "$(SUBMISSIONS)" || (echo "usage: make grade SUBMISSIONS=path/to/folder/ [ONLY=file]" && exit 2)
	$(BIN)/python homework/grade.py "$(SUBMISSIONS)" $(if $(ONLY),--only "$(ONLY)")

# `make grade` writes, beside the gradebook, NAME-answers.html (every written answer, by question)
# and NAME-hand-scores.csv (file, question, points); this copies the typed points into the gradebook.
merge-hand-scores: install
	@test -n "$(SCORES)" -a -n "$(GRADEBOOK)" || (echo "usage: make merge-hand-scores SCORES=path/to/...-hand-scores.csv GRADEBOOK=path/to/...-gradebook.csv" && exit 2)
	$(BIN)/python homework/grade.py --merge-hand-scores "$(SCORES)" "$(GRADEBOOK)"

clean:
	rm -rf $(VENV) homework/dist .pytest_cache
