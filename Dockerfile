# syntax=docker/dockerfile:1
# The dashboard as a container image: `make image` builds it; docs/deploy.md ("Running the
# container image") says how to run it. Three stages, so the image carries no Node.js, npm,
# compilers or source tree: only the installed package, Python and the PDF libraries.

# --- the dashboard's NHS.UK assets, from web/package-lock.json --------------------------------
# nhsuk-frontend 10 asks for Node.js ^20.9 || ^22.11 || >=24.11; Debian bookworm's nodejs is 18,
# so the assets are built with the Node.js project's own Debian (bookworm) image.
FROM node:22-bookworm-slim AS assets
WORKDIR /src
COPY web/package.json web/package-lock.json web/
COPY scripts/web-assets scripts/
RUN ./scripts/web-assets

# --- wheels: equitrack with its assets, and every dependency ---------------------------------
FROM python:3.11-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src src
COPY --from=assets /src/src/equitrack/web/static/nhsuk src/equitrack/web/static/nhsuk
RUN pip wheel --wheel-dir /wheels '.[postgres]'

# --- the runtime: serving the dashboard and writing its PDF reports -------------------------
FROM python:3.11-slim-bookworm
# WeasyPrint's libraries and fonts (the ones scripts/system-deps installs on a host), and
# libpq for a PostgreSQL store (several servers sharing one; docs/deploy.md)
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core libpq5 \
    && rm -rf /var/lib/apt/lists/*
# the wheels are mounted for this step only, so no layer keeps them; the PostgreSQL extra,
# not the development or Spark ones
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    PIP_DISABLE_PIP_VERSION_CHECK=1 pip install --no-cache-dir --no-index \
        --find-links=/wheels 'equitrack[postgres]'

COPY --chmod=0755 scripts/container-start /usr/local/bin/equitrack-container-start
COPY --chmod=0755 scripts/container-healthcheck /usr/local/bin/equitrack-healthcheck

# A fixed, numeric, unprivileged user, so an orchestrator can check it is not root
# (Kubernetes runAsNonRoot) and a host volume can be given to it by uid.
RUN groupadd --system --gid 10001 equitrack \
    && useradd --system --uid 10001 --gid equitrack --home-dir /home/equitrack \
        --create-home --shell /usr/sbin/nologin equitrack \
    && mkdir -p /data/key /data/profiles \
    && chown -R 10001:10001 /data \
    && chmod 0700 /data /data/key

# The store and the pseudonymisation key live in the volume. /data/key is a folder of its own
# so that it can be a second volume (or a secret), backed up apart from the store.
ENV EQUITRACK_DB=/data/equitrack.duckdb \
    EQUITRACK_KEY_FILE=/data/key/pseudonymisation.key \
    EQUITRACK_PROFILES=/data/profiles \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["equitrack-healthcheck", "--port", "8000"]
# makes an empty store on a new volume, then runs the command (so `docker exec … equitrack
# users add` has a store to add the first administrator to)
ENTRYPOINT ["equitrack-container-start"]
# all addresses inside the container: the port is published, and a reverse proxy terminates
# HTTPS (add --trusted-proxy ADDRESS for it); the session cookie stays Secure
CMD ["equitrack", "serve", "--host", "0.0.0.0", "--port", "8000"]
