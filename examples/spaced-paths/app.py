"""An app whose dependencies live in a folder with a space in its name:
the Dockerfile must quote the path, and the image must still build."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return {"requirements": "requirements dir/base.txt", "status": "built"}
