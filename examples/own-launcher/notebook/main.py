"""The launcher: registers the pages, then serves them with the standard
library's WSGI server (a real app would use gevent, waitress or cheroot)."""
import os
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

from . import create_app
from .views import pages


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main():
    app = create_app()
    app.register_blueprint(pages)
    port = int(os.environ.get("PORT", "8000"))
    server = make_server("0.0.0.0", port, app, server_class=ThreadingServer)
    print(f"notebook: serving on port {port}", flush=True)
    server.serve_forever()
