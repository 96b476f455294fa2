# Settings for running on a developer's machine; the container overrides `bind`.
bind = "127.0.0.1:8000"
workers = 2
accesslog = "-"
