# syntax=docker/dockerfile:1
# Workback's production image. It serves the web app under gunicorn; the same
# image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PORT=8000 \
    WEB_CONCURRENCY=3

WORKDIR /app

# Dependencies before the code, so that a code change does not reinstall them.
# The lock pins every package, dependencies included, with its hashes: pip
# installs exactly those files or fails.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .

# Hashed, compressed static files, built once into the image. Settings refuse to
# load without a secret key; this one exists only for this command.
RUN SECRET_KEY=collectstatic-only STATIC_MANIFEST=1 python manage.py collectstatic --noinput

# Run as an unprivileged user. Uploads go to /app/media, which a volume covers;
# a fresh named volume takes this directory's owner.
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent workback \
    && mkdir -p /app/media \
    && chown workback /app/media
USER workback

EXPOSE 8000
# gunicorn binds 0.0.0.0:$PORT and starts $WEB_CONCURRENCY workers; it reads
# ./gunicorn.conf.py from this directory (its responses carry no Server header).
CMD ["gunicorn", "wbapp.wsgi:application", "--access-logfile", "-"]
