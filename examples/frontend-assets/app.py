"""A Flask app whose pages load a front end built with esbuild.

The stylesheet and script under `static/dist/` are not committed: `npm run
build` writes them from `assets/`, in the image's Node stage.
"""
from flask import Flask, render_template

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html")


if __name__ == "__main__":
    # Development only: run `npm run build` first; the container runs gunicorn.
    app.run(debug=True)
