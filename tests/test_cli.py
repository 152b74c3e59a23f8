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
    assert proc.returncode == 0 and proc.stderr == ""
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
