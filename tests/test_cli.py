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


def test_workers_do_not_outlive_a_killed_extract(tmp_path):
    """A SIGKILLed `extract --jobs 2` must not leave its workers waiting for work forever."""
    import os
    import signal
    import time
    pages = sorted(FIXTURES.glob("*/*.html"))
    listing = tmp_path / "inputs.txt"
    listing.write_text("\n".join(map(str, pages * 200)) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "cleaners", "extract", "--quiet", "--jobs", "2",
                             "--from", str(listing)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children():
        try:
            with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as fh:
                return [int(pid) for pid in fh.read().split()]
        except FileNotFoundError:
            return []
    deadline = time.monotonic() + 60
    while len(children()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = children()
    assert len(workers) >= 2 and proc.poll() is None, "extract ended before its workers could be seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)

    def alive(pid):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().split(") ")[1][0] != "Z"
        except FileNotFoundError:
            return False
    deadline = time.monotonic() + 10
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left
