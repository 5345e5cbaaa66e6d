import os

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
# around it are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
