# A realistic passing Dockerfile: overridable pinned base, builder + runtime, non-root, exec form.
ARG PYTHON_IMAGE=python:3.13-slim
ARG PIP_INDEX_URL=

FROM ${PYTHON_IMAGE} AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
COPY apps/backend/requirements.txt /tmp/requirements.txt
RUN --mount=type=cache,target=/root/.cache/pip /opt/venv/bin/pip install -r /tmp/requirements.txt

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    POSTGRES_PASSWORD_FILE=/run/secrets/db_password
WORKDIR /app
COPY --from=builder --chown=1000:1000 /opt/venv /opt/venv
COPY --chown=1000:1000 apps/backend/src ./src
USER 1000:1000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
ENTRYPOINT ["uvicorn"]
CMD ["todo_api.main:app", "--host", "0.0.0.0", "--port", "8000"]
