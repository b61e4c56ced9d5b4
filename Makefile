# Tijori: `make run` starts everything on the embedded defaults; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
AWS_EMULATOR_PORT ?= 5055

export DJANGO_SETTINGS_MODULE ?= config.settings.local

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format migrate db-roles seed shell bench bench-servers bench-requests mutate check-deploy docker-config clean \
	backup restore replica-start replica-stop test-replica deploy-check deploy-emulator

help: ## List the targets
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z_-]+:.*?## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install it or set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its development tools

migrate: $(STAMP) ## Apply database migrations and create the cache table
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

db-roles: $(STAMP) ## PostgreSQL: create the owner, app and platform roles and the database (as a superuser)
	$(BIN)/python manage.py db_roles

seed: migrate ## Load the demo data (idempotent)
	$(BIN)/python manage.py demo_seed --url http://127.0.0.1:$(PORT)

run: seed ## Migrate, load demo data, start web + worker + beat + AWS emulator, restarting any that exits (Ctrl-C stops all)
	@echo ""
	@echo "  Tijori is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker, beat and the AWS emulator)"
	@echo ""
	TIJORI_PORT=$(PORT) TIJORI_AWS_EMULATOR_PORT=$(AWS_EMULATOR_PORT) \
	TIJORI_SITE_URL=http://127.0.0.1:$(PORT) \
	AWS_ENDPOINT_URL=http://127.0.0.1:$(AWS_EMULATOR_PORT) \
	AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-south-1 \
	$(BIN)/python manage.py run_embedded --procfile Procfile

test: $(STAMP) ## Run the whole test suite (SQLite, or PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check, ruff format --check, djLint, IAM policy lint (parliament, allow-list in apps/provisioning/iam)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint templates apps
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py iam_lint

format: $(STAMP) ## Format the code (ruff) and templates (djLint)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

shell: $(STAMP) ## Django shell
	$(BIN)/python manage.py shell

bench: $(STAMP) ## Load-test gunicorn with locust and time a 10,000-row stock import on a seeded PostgreSQL bench database
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m tests.benchmarks.run

bench-servers: $(STAMP) ## The mixed load against gunicorn in several workers x threads shapes (BENCH_SERVER_SHAPES)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m tests.benchmarks.servers

bench-requests: $(STAMP) ## What one request to each benchmarked URL costs in-process: queries, templates and the rest
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m tests.benchmarks.request_costs

mutate: $(STAMP) ## Mutation-test the rule modules (Cosmic Ray, ~25 min); prints kill rate and survivors
	$(BIN)/python tests/mutation/run.py $(MUTATE_ARGS)

check-deploy: $(STAMP) ## manage.py check --deploy under production settings (with throwaway secrets)
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=tijori.example.com \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

docker-config: ## Validate docker/compose.yaml (needs docker compose or docker-compose)
	@if docker compose version >/dev/null 2>&1; then docker compose -f docker/compose.yaml config --quiet; \
	else docker-compose -f docker/compose.yaml config --quiet; fi && echo "docker/compose.yaml is valid"

backup: $(STAMP) ## Dump the database (pg_dump) into the backups storage now; the beat job does it daily
	$(BIN)/python manage.py db_backup

restore: $(STAMP) ## Restore a dump into a new database: make restore DUMP=<path or backups name> DB=<new database>
	@test -n "$(DUMP)" && test -n "$(DB)" || { echo "usage: make restore DUMP=database/tijori-2026-01-31.dump DB=tijori_restored"; exit 2; }
	$(BIN)/python manage.py db_restore "$(DUMP)" --database "$(DB)"

REPLICA_PORT ?= 5433
replica-start: ## Start a streaming replica of the local PostgreSQL on 127.0.0.1:$(REPLICA_PORT) (pg_basebackup)
	.ci/pg-replica start $(REPLICA_PORT)

replica-stop: ## Stop the local streaming replica and remove its files
	.ci/pg-replica stop $(REPLICA_PORT)

test-replica: $(STAMP) ## The read-routing tests against the running replica (make replica-start first)
	DATABASE_READ_URL=$${DATABASE_READ_URL:-postgres://tijori_app@127.0.0.1:$(REPLICA_PORT)/tijori} \
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -m replica $(PYTEST_ARGS)

# The deployment has its own environment: the CDK (with its Node.js runtime) stays out of the app's.
DEPLOY_VENV := deploy/.venv
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed
DEPLOY_ENV := JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 CDK_DISABLE_VERSION_CHECK=1
$(DEPLOY_STAMP): deploy/requirements.txt
	@command -v node >/dev/null || { echo "The AWS CDK needs Node.js (18 or later): apt-get install nodejs"; exit 1; }
	test -x $(DEPLOY_VENV)/bin/python || $(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DEPLOY_VENV)/bin/python -m pip install --quiet -r deploy/requirements.txt
	@touch $@

deploy-check: $(DEPLOY_STAMP) ## AWS deployment as code: CDK synth offline (no account, no lookups), cfn-lint, assertion tests
	cd deploy && rm -rf cdk.out && $(DEPLOY_ENV) CDK_OUTDIR=cdk.out .venv/bin/python app.py
	cd deploy && .venv/bin/cfn-lint
	cd deploy && $(DEPLOY_ENV) .venv/bin/pytest -q -p no:cacheprovider tests

deploy-emulator: $(STAMP) ## Create the synthesized stacks on the AWS emulator's CloudFormation; report what it can and cannot create
	@test -f deploy/cdk.out/Tijori-production.template.json || $(MAKE) deploy-check
	AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	$(BIN)/python deploy/emulator.py deploy/cdk.out/Tijori-production.template.json deploy/cdk.out/Tijori-staging.template.json

clean: ## Remove var/ (database, files, broker queues); keeps .venv
	rm -rf var
