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


def slow_replay_env(folder: Path, seconds: float) -> dict:
    """Environment for a crawl on the project settings plus a downloader middleware that makes every
    replayed page take `seconds` (replay answers before the downloader's slots, so DOWNLOAD_DELAY
    cannot slow it): room to kill a crawl mid-way."""
    modules = folder / "modules"
    modules.mkdir(exist_ok=True)
    (modules / "slow_settings.py").write_text(f'''
import asyncio
from crawler.settings import *  # noqa: F401,F403
from crawler.settings import DOWNLOADER_MIDDLEWARES

DOWNLOADER_MIDDLEWARES = {{**DOWNLOADER_MIDDLEWARES, "slow_settings.Slow": 900}}


class Slow:
    async def process_request(self, request, spider=None):
        await asyncio.sleep({seconds})
''', encoding="utf-8")
    return {"SCRAPY_SETTINGS_MODULE": "slow_settings",
            "PYTHONPATH": os.pathsep.join([str(modules), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
