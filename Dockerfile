# syntax=docker/dockerfile:1
# p2pboard production image: Uvicorn serving p2pboard.asgi:application on port 8000 (see CMD).
#
#   docker build --build-arg P2PBOARD_VERSION=0.1.0 -t p2pboard:0.1.0 .
#
# P2PBOARD_VERSION must equal `version` in pyproject.toml: the build checks it and stops if not.
# Migrations are not run here: run `python manage.py migrate --noinput` once per release
# (docker-compose.yml does it in its `migrate` service). See deploy/README.md.

ARG PYTHON_IMAGE=python:3.12-slim

# ---- builder: the locked dependencies, in /app/.venv ------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"

ENV UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON=/usr/local/bin/python3.12 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# ---- final: the app, run as a user without privileges -------------------------------------------
FROM ${PYTHON_IMAGE}

ARG P2PBOARD_VERSION=0.1.0
LABEL org.opencontainers.image.title="p2pboard" \
      org.opencontainers.image.description="A self-hosted, live, collaborative board for Path to Production mapping workshops." \
      org.opencontainers.image.version="${P2PBOARD_VERSION}" \
      org.opencontainers.image.licenses="MIT"

# DejaVu Sans for the PDF map: people's text in any script (without it, ReportLab's own font).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 p2pboard \
 && useradd --system --uid 10001 --gid p2pboard --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin p2pboard

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    P2PBOARD_MODE=production \
    P2PBOARD_DATA_DIR=/app/data \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
# The code stays owned by root, so the app cannot change it; .dockerignore keeps out the rest.
COPY . /app

# The label must tell the truth: stop if the build argument and pyproject.toml disagree.
RUN python -c "import sys, tomllib; v = tomllib.load(open('pyproject.toml', 'rb'))['project']['version']; \
sys.exit(0 if v == '${P2PBOARD_VERSION}' else f'P2PBOARD_VERSION=${P2PBOARD_VERSION} but pyproject.toml says {v}: pass --build-arg P2PBOARD_VERSION={v}')"

# Static files are collected (hashed and compressed for WhiteNoise) into the image. Production
# settings refuse to load without SECRET_KEY: this throwaway one lives only in this RUN step and
# is never stored in the image.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret python manage.py collectstatic --noinput -v 1 \
 && python -m compileall -q -j 0 p2pboard workshops \
 && mkdir -p /app/data \
 && chown p2pboard:p2pboard /app/data

USER p2pboard
EXPOSE 8000

# Host must be one of ALLOWED_HOSTS (so include localhost there). X-Forwarded-Proto: https marks
# the request as secure, so the production HTTPS redirect cannot turn the check into a 301.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; r = u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': 'localhost', 'X-Forwarded-Proto': 'https'}), timeout=4); sys.exit(0 if r.status == 200 else 1)"]

# Uvicorn (uvloop, httptools): the benchmark's scale-out figures (README). Behind the proxy of
# docker-compose.yml, whose X-Forwarded-* headers it trusts (--proxy).
CMD ["python", "-m", "p2pboard.serve", "--server", "uvicorn", "--host", "0.0.0.0", "--port", "8000", "--proxy"]
