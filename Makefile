# Two commands do everything on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
GIFT   := .node/node_modules/gift-pegjs/package.json
# a student's Python (NumPy, the notebooks' libraries, a kernel; never gdgrade), in which
# tests/course/test_student_kit.py runs the released notebooks' self-check cells
STUDENT := .venv-student
STUDENT_REQS := tests/course/student-requirements.txt
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: install test demo lint clean

install: $(STAMP) $(GIFT) $(STUDENT)/.installed

$(STAMP): pyproject.toml requirements-torch.txt
	command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-torch.txt
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# the stamp holds the requirement files' text: the test remakes the venv when they change
$(STUDENT)/.installed: $(STUDENT_REQS) requirements-torch.txt
	test -x $(STUDENT)/bin/python || python3 -m venv $(STUDENT)
	cd $(dir $(STUDENT_REQS)) && $(abspath $(STUDENT))/bin/python -m pip install --quiet -r $(notdir $(STUDENT_REQS))
	cat $(STUDENT_REQS) requirements-torch.txt > $@

# gift-pegjs, the GIFT parser the quiz-export tests read our GIFT files with
$(GIFT):
	command -v npm >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	npm install --silent --no-audit --no-fund --prefix .node gift-pegjs@1.0.2

test: install
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --ignore=tests/course
	$(PY) -m pytest tests/course    # one process: the released course is built once

demo: install
	$(VENV)/bin/gdgrade demo

lint: install
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) $(STUDENT) build *.egg-info
