# One image for every process of the production stack (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TIMEBANK_MATCHING_CACHE=/app/var/matching
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files built exactly as production serves them: DJANGO_DEBUG=0 writes the hashed names and the
# manifest whitenoise reads (built under DEBUG=1 there is none, and every page answers 500). Then the
# taxonomy's skill vectors, so no process spends seconds embedding them at its first match. Neither step
# touches the database or Redis: the settings only need values, so these are placeholders.
RUN export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only-not-a-secret DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://collectstatic@127.0.0.1:1/collectstatic REDIS_URL=redis://127.0.0.1:1/0 \
    VAPID_PRIVATE_KEY=collectstatic-only VAPID_PUBLIC_KEY=collectstatic-only \
    && python manage.py collectstatic --noinput && python manage.py matching_vectors
# The processes run as nobody: a taxonomy edited since the build has its vectors saved beside these once.
RUN chown -R nobody /app/var/matching
USER nobody
EXPOSE 8000 8001
CMD ["granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "timebank.wsgi:application"]
