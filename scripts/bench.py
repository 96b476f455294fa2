#!/usr/bin/env python3
"""Benchmark: flaskdock on synthetic checkouts of 1,000, 10,000 and 100,000 files.

Each tree is a Flask app whose files are 50% `node_modules`, 45% a `.venv`
virtualenv and 5% the app's own Python modules, as a real checkout with its
dependencies installed looks. The app's modules are 80% blueprint views, 15%
plain services and 5% settings modules that read the environment.
Prints the median wall time and the peak memory (max RSS) of `flaskdock inspect`
and `flaskdock init --dry-run --yes` over several runs, and, when `nixpacks` is
on PATH (`cargo install nixpacks`), of `nixpacks plan` on the same trees with
the ratio.

A `read floor` row per tree is the time a process takes to walk the same tree
and read every `.py` file on every core, doing nothing else
(`benches/read_floor.rs`): how fast any tool that reads the code can be here.

Usage: python3 scripts/bench.py [--runs N] [--sizes 1000,10000,100000] [--keep DIR] [--all-read-env]
Builds the release binary first (cargo build --release).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BINARY = REPO / "target" / "release" / "flaskdock"

APP = """import os
from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:///app.db")


@app.route("/")
def index():
    return "ok"
"""

# The app's own modules, as a large Flask codebase has them: mostly views on
# blueprints, some plain services, one in twenty reading its settings from the
# environment.
VIEW = """from flask import Blueprint, jsonify, request

from .services import service_{n}

bp_{n} = Blueprint("part_{n}", __name__)


@bp_{n}.route("/items/{n}")
def items_{n}():
    limit = int(request.args.get("limit", 10))
    return jsonify(service_{n}.fetch(limit=limit))


@bp_{n}.route("/items/{n}", methods=["POST"])
def create_{n}():
    payload = request.get_json(force=True)
    if not payload:
        return jsonify({{"error": "empty"}}), 400
    return jsonify(service_{n}.create(payload)), 201
"""

SERVICE = """class Service{n}:
    def __init__(self, client):
        self.client = client

    def fetch(self, limit=10):
        return [self.client.get(i) for i in range(limit)]

    def create(self, payload):
        return self.client.put(payload)
"""

SETTINGS = """import os

TIMEOUT_{n} = int(os.environ.get("TIMEOUT_{n}", "30"))
FEATURE_{n} = os.getenv("FEATURE_{n}", "off") == "on"
"""


def module_text(n: int, all_read_env: bool) -> str:
    if all_read_env:
        return SETTINGS.format(n=n) + VIEW.format(n=n)
    if n % 20 == 0:
        return SETTINGS.format(n=n)
    if n % 20 < 4:
        return SERVICE.format(n=n)
    return VIEW.format(n=n)


VENDORED_PY = "def f(x):\n    return x * 2\n"
JS = "module.exports = function (x) { return x * 2; };\n"


def build_tree(root: Path, total: int, all_read_env: bool) -> None:
    """Writes `total` files under root: 50% node_modules, 45% .venv, 5% app."""
    app_files = max(total * 5 // 100, 2)
    venv_files = total * 45 // 100
    node_files = total - app_files - venv_files
    (root / "requirements.txt").write_text("Flask==3.1.3\npsycopg2==2.9.13\n")
    (root / "app.py").write_text(APP)
    pkg = root / "shop"
    for i in range(app_files - 2):
        folder = pkg / f"part{i // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        init = folder / "__init__.py"
        if not init.exists():
            init.write_text("")
        (folder / f"mod{i}.py").write_text(module_text(i, all_read_env))
    (pkg / "__init__.py").write_text("")
    venv = root / ".venv"
    (venv / "lib" / "python3.12" / "site-packages").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    for i in range(venv_files - 1):
        folder = venv / "lib" / "python3.12" / "site-packages" / f"pkg{i // 200}"
        folder.mkdir(exist_ok=True)
        (folder / f"m{i}.py").write_text(VENDORED_PY)
    for i in range(node_files):
        folder = root / "node_modules" / f"dep{i // 200}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"index{i}.js").write_text(JS)


def measure(command: list[str], runs: int) -> tuple[float, float | None]:
    """Median wall seconds over `runs` runs, and the peak memory (MiB).

    The peak comes from GNU time (`/usr/bin/time -f %M`) in three more runs:
    a child's max RSS as `wait4` reports it starts from the RSS of the
    process that forked it, so measured from here it would be Python's own
    (about 15 MiB) whenever the command needs less. Without GNU time the
    peak is not reported."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed with {proc.returncode}")
    gnu_time = shutil.which("time")
    if not gnu_time:
        return statistics.median(times), None
    peaks = []
    for _ in range(3):
        proc = subprocess.run([gnu_time, "-f", "%M", *command], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        peaks.append(int(proc.stderr.strip().splitlines()[-1]) / 1024)  # KiB
    return statistics.median(times), max(peaks)


def mib(peak: float | None) -> str:
    return "n/a" if peak is None else f"{peak:.1f}"


def floor_binary() -> str:
    """Builds `benches/read_floor.rs` and returns its executable."""
    out = subprocess.run(
        ["cargo", "bench", "--bench", "read_floor", "--locked", "--no-run", "--message-format=json", "--quiet"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("target", {}).get("name") == "read_floor" and message.get("executable"):
            return message["executable"]
    sys.exit("cargo did not report the read_floor benchmark's executable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--keep", help="build the trees in DIR and keep them")
    parser.add_argument(
        "--all-read-env",
        action="store_true",
        help="worst case: every app module reads the environment, so every one is parsed",
    )
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=REPO, check=True)
    floor = floor_binary()
    nixpacks = shutil.which("nixpacks")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="flaskdock-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"flaskdock {subprocess.run([BINARY, '--version'], capture_output=True, text=True).stdout.strip()}; "
          f"{os.cpu_count()} CPUs; median of {args.runs} runs; peak = max RSS")
    header = f"{'files':>8}  {'command':<24} {'median ms':>10} {'peak MiB':>9}"
    if nixpacks:
        header += f"  {'nixpacks plan ms':>16} {'ratio':>6}"
    print(header)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            root = base / f"tree-{size}{'-all-env' if args.all_read_env else ''}"
            if not root.exists():
                root.mkdir()
                build_tree(root, size, args.all_read_env)
            # Warm the page cache once, as a developer's checkout is.
            subprocess.run([BINARY, "inspect", root], stdout=subprocess.DEVNULL, check=True)
            nix = None
            if nixpacks:
                subprocess.run([nixpacks, "plan", root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                nix, _ = measure([nixpacks, "plan", str(root)], args.runs)
            floor_median, floor_peak = measure([floor, str(root)], args.runs)
            print(f"{size:>8}  {'read floor':<24} {floor_median * 1000:>10.1f} {mib(floor_peak):>9}", flush=True)
            for name, command in [
                ("inspect", [str(BINARY), "inspect", str(root)]),
                ("init --dry-run --yes", [str(BINARY), "init", "--dry-run", "--yes", str(root)]),
            ]:
                median, peak = measure(command, args.runs)
                line = f"{size:>8}  {name:<24} {median * 1000:>10.1f} {mib(peak):>9}"
                if nix is not None:
                    line += f"  {nix * 1000:>16.1f} {nix / median:>5.1f}x"
                print(line, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
