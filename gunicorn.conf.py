"""gunicorn's settings for the web process, read from the working directory by
`gunicorn outreach.wsgi:application` (README, "Production deployment").

The application is loaded once, in the master process, and warmed up there (`outreach.warmup`,
called by outreach/wsgi.py) before the workers are forked: they start ready to answer and share
that memory, instead of each reading Django, the URL map, the catalogues and the templates on
its first requests.
"""

preload_app = True
