"""`python -m cleaners extract`: one JSON object per input, in order, exit 0."""
import json
import subprocess
import sys

from conftest import FIXTURES, ROOT


def extract(*args):
    proc = subprocess.run([sys.executable, "-m", "cleaners", "extract", *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    return proc, [json.loads(line) for line in proc.stdout.splitlines()]


def test_profile_chosen_by_url_and_records_in_input_order(tmp_path):
    seed = FIXTURES / "investchn" / "article-84213.html"
    listing = FIXTURES / "investchn" / "list-1.html"
    proc, records = extract("--url", "http://www.investchn.com/kfqxw/wzxw/2021-12-03/84213.html",
                            str(seed), str(listing), str(tmp_path / "missing.html"))
    assert proc.returncode == 0 and proc.stderr.startswith("extract: 3 pages -> 1 articles, 2 rejections")
    assert proc.stderr.count("\n") == 1  # the summary line, nothing else
    assert [r["path"] for r in records] == [str(seed), str(listing), str(tmp_path / "missing.html")]
    assert records[0]["portal"] == "investchn" and records[0]["headline"].startswith("奋楫争先")
    assert records[1]["reason"] == "not-article" and "body selector" in records[1]["error"]
    assert records[2]["reason"] == "unreadable"


def test_generic_mode_without_url():
    page = FIXTURES / "wuxi-logistics" / "article-3482.html"
    proc, (record,) = extract(str(page))
    assert proc.returncode == 0
    assert record["portal"] == "generic" and record["encoding"] == "gb18030"
    assert record["headline"] == "惠山加速打造新旧动能转换标杆"
    assert "上一篇" not in record["articleBody"]


def test_unknown_portal_is_a_usage_error():
    proc, records = extract("--portal", "nope", "x.html")
    assert proc.returncode == 2 and records == []
    assert "no profile named 'nope'" in proc.stderr


def test_folders_stdin_and_lists_in_order_with_jobs_and_a_summary(tmp_path):
    """Thousands of files: folders and path lists as inputs, N processes, records still in input
    order and identical to one process, a summary line on standard error."""
    folder = FIXTURES / "investchn"
    files = sorted(str(p) for p in folder.glob("*.html"))
    listing = tmp_path / "paths.txt"
    listing.write_text("\n".join(files[:3]) + "\n", encoding="utf-8")
    one, records = extract("--quiet", str(folder))
    assert one.stderr == "" and [r["path"] for r in records] == files  # --quiet: no summary
    proc = subprocess.run([sys.executable, "-m", "cleaners", "extract", "--jobs", "2", "--from", str(listing),
                           "-", str(folder)], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          input=files[-1] + "\n")
    parallel = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 0
    assert [r["path"] for r in parallel] == files[:3] + files[-1:] + files
    assert parallel[4:] == records  # the same records as one process, in the same order
    articles = sum("articleBody" in r for r in parallel)
    assert proc.stderr.startswith(f"extract: {len(parallel)} pages -> {articles} articles, "
                                  f"{len(parallel) - articles} rejections (not-article {len(parallel) - articles}) in ")
    assert "pages/s)" in proc.stderr


def test_progress_bar_only_on_a_terminal():
    import fcntl
    import os
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal's size
    try:
        proc = subprocess.run([sys.executable, "-m", "cleaners", "extract", str(FIXTURES / "investchn")], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=slave, timeout=120)
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    assert proc.returncode == 0
    assert b"7/7" in shown and b"page/s" in shown  # tqdm's bar, then the summary line
    assert b"extract: 7 pages -> 4 articles" in shown
