# Two commands on a fresh machine: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MO     := rating/translations/en/LC_MESSAGES/messages.mo
export FLASK_APP := rating

.PHONY: run test setup migrate seed lint translations-update clean

setup: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(MO): $(STAMP) rating/translations/en/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --use-fuzzy -d rating/translations -l en

## make run: set up, migrate, seed an empty database, print the demo logins, serve :5000 with the scheduler.
run: setup
	RATING_ENV=development $(BIN)/flask db upgrade
	RATING_ENV=development $(BIN)/flask seed --if-empty
	@echo "Serving http://127.0.0.1:5000 (Ctrl-C stops)"
	RATING_ENV=development SCHEDULER_IN_PROCESS=1 $(BIN)/flask run --host 127.0.0.1 --port 5000 --no-reload

## make test: set up and run the whole suite (PostgreSQL too when TEST_DATABASE_URL is set).
test: setup
	$(BIN)/ruff check rating tests bench
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check rating tests bench

## Re-extract the strings after changing templates or code, then translate the new ones in the .po file.
translations-update: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o rating/translations/messages.pot .
	$(BIN)/pybabel update -i rating/translations/messages.pot -d rating/translations -l en

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
