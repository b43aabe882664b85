# Two commands do everything on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
GIFT   := .node/node_modules/gift-pegjs/package.json
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: install test demo lint clean

install: $(STAMP) $(GIFT)

$(STAMP): pyproject.toml requirements-torch.txt
	command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-torch.txt
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

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
	rm -rf $(VENV) build *.egg-info
