FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/app/var STATIC_ROOT=/app/staticfiles
WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir salesculture pipeline accountability && pip install --no-cache-dir . \
    && pip uninstall --yes salesculture && rm -rf salesculture pipeline accountability

# The app runs from /app (templates/ and static/ sit beside the packages), installed editable.
COPY manage.py ./
COPY salesculture ./salesculture
COPY pipeline ./pipeline
COPY accountability ./accountability
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir --no-deps -e . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app && mkdir -p /app/var && chown -R app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "salesculture.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
