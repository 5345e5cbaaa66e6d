import os

from django.core.wsgi import get_wsgi_application

from ppsportal.heap import freeze_start_up_heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppsportal.settings")
application = get_wsgi_application()
# the start-up heap out of the collector's full collections (ppsportal/heap.py)
freeze_start_up_heap()
