#!/usr/bin/env bash
# The one test entry point, for people and CI alike: provision what the tests need
# (Docker engine + sandbox and service images, RabbitMQ, docker-compose and promtool, the
# compose stack's images: each built only when missing, from cached roots), install seamq
# with its test extras, then lint, type-check and run the whole suite under pytest-xdist. Extra
# arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash deploy/provision.sh
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
# The official AsyncAPI parser validates `seamq schema --asyncapi` (tests/node/).
if [ ! -d tests/.node/node_modules/@asyncapi/parser ]; then
    npm install --prefix tests/.node --no-audit --no-fund --silent '@asyncapi/parser@3'
fi
python3 -m ruff check .
python3 -m mypy
# Two workers (the machine has two cores); the tests that stop RabbitMQ wait until no other
# RabbitMQ test runs (tests/conftest.py).
python3 -m pytest -n "${SEAMQ_TEST_WORKERS:-2}" --dist load "$@"
