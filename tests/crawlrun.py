"""Running real crawls from tests: `scrapy crawl` in a subprocess (Twisted's reactor cannot be
restarted inside the pytest process)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRAPY = [sys.executable, "-m", "scrapy"]


def scrapy(*args, env=None, timeout=120):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*SCRAPY, *args], cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


def crawl(spider, out: Path, *settings, env=None):
    """Crawl into out (JSON lines); returns (items, rejections, completed process)."""
    args = ["crawl", spider, "-O", str(out), "-s", "LOG_LEVEL=INFO"]
    for s in settings:
        args += ["-s", s]
    proc = scrapy(*args, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rejections = out.with_name(out.name.split(".")[0] + ".rejections.jsonl")
    return read_jsonl(out), read_jsonl(rejections), proc


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
