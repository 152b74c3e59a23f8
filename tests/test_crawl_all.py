"""Issue 8 (2): the main job's outputs are built beside and renamed into place; --incremental adds
to the cumulative articles.jsonl; a killed run's leftovers are cleaned (and, in incremental mode,
its stored articles kept) by the next run. Real `python -m crawler.crawl_all` processes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from crawlrun import read_jsonl, slow_replay_env

PORTAL = "investchn"
ARTICLES = sorted(p["url"] for p in json.loads((FIXTURES / PORTAL / "manifest.json").read_text(encoding="utf-8"))["pages"]
                  if p["kind"] == "article")


def crawl_all(out: Path, *args, env=None, wait=True):
    cmd = [sys.executable, "-m", "crawler.crawl_all", "--output", str(out), *args, PORTAL]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if wait:
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr[-3000:]
        return stdout
    return proc


def urls(path: Path) -> list[str]:
    return sorted(r["url"] for r in read_jsonl(path))


def test_full_runs_replace_the_outputs_and_leave_nothing_behind(tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        stdout = crawl_all(out)
        assert "[ok]" in stdout
        assert urls(out / "articles.jsonl") == ARTICLES and len(read_jsonl(out / "rejections.jsonl")) == 2
    assert sorted(p.name for p in out.iterdir()) == ["articles.jsonl", "rejections.jsonl", "review"]


def test_incremental_runs_add_to_the_cumulative_output(tmp_path):
    out, state = tmp_path / "out", f"STATE_URI={tmp_path / 'state-%(mode)s.sqlite'}"
    crawl_all(out, "--incremental", "-s", state)
    crawl_all(out, "--incremental", "-s", state)
    assert urls(out / "articles.jsonl") == ARTICLES  # the first run's articles are still there, once
    reasons = sorted(r["reason"] for r in read_jsonl(out / "rejections.jsonl"))
    assert reasons == ["not-article"] * 2 + ["seen-before"] * len(ARTICLES)


@pytest.mark.parametrize("incremental", [False, True])
def test_a_killed_run_is_cleaned_up_and_loses_no_article(tmp_path, incremental):
    slow = slow_replay_env(tmp_path, 0.7)
    out = tmp_path / "out"
    flags = ["--incremental", "-s", f"STATE_URI={tmp_path / 'state-%(mode)s.sqlite'}"] if incremental else []
    crawl_all(out, *flags)  # a complete earlier run
    before = (out / "articles.jsonl").read_bytes()
    proc = crawl_all(out, *flags, "-s", "CONCURRENT_REQUESTS=1", env=slow, wait=False)
    deadline = time.monotonic() + 60
    while not (out / ".run" / "portals").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2)  # mid-crawl: 6 pages at 0.7 s each
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert (out / "articles.jsonl").read_bytes() == before  # the last complete output, untouched
    assert (out / ".run").exists()
    crawl_all(out, *flags)
    assert sorted(p.name for p in out.iterdir()) == ["articles.jsonl", "rejections.jsonl", "review"]
    assert sorted(set(urls(out / "articles.jsonl"))) == ARTICLES


def test_publish_leaves_the_old_output_when_building_the_new_one_fails(tmp_path, monkeypatch):
    from crawler import crawl_all as job
    target = tmp_path / "articles.jsonl"
    target.write_text('{"url": "old"}\n', encoding="utf-8")
    part = tmp_path / "part.jsonl"
    part.write_text('{"url": "a"}\n{"url": "b"}\n{"url": "half', encoding="utf-8")
    assert job.publish(target, [part], keep=True) == 3  # the half record is left out
    assert [r["url"] for r in read_jsonl(target)] == ["old", "a", "b"]

    def broken(path):
        yield '{"url": "x"}\n'
        raise OSError("disk gone")
    monkeypatch.setattr(job, "complete_records", broken)
    with pytest.raises(OSError):
        job.publish(target, [part])
    assert [r["url"] for r in read_jsonl(target)] == ["old", "a", "b"]
