"""The README's "Adding a portal" recipe, followed as written, for a portal kept outside the repository
(fixtures in a temporary REPLAY_FIXTURES_DIR, the profile in a CLEANERS_PROFILE_PATH folder) and held
to its reviewed golden files (tests/onboarding/golden)."""
import json
import os
import shutil
import subprocess
import sys

from conftest import ROOT
from crawlrun import crawl

PORTAL = "xx-county"
SAVED = ROOT / "tests" / "onboarding" / PORTAL
GOLDEN = ROOT / "tests" / "onboarding" / "golden"


def run(*args, env):
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_adding_a_portal_as_the_readme_says(tmp_path):
    fixtures, profiles, goldens = tmp_path / "fixtures", tmp_path / "profiles", tmp_path / "golden"
    env = {"REPLAY_FIXTURES_DIR": str(fixtures), "CLEANERS_PROFILE_PATH": str(profiles), "GOLDEN_DIR": str(goldens)}
    # 1. the saved pages and their manifest (a list page, three articles; no "other" page)
    shutil.copytree(SAVED, fixtures / PORTAL)
    # 2. the profile, drafted from the pages
    report = run("-m", "cleaners", "learn", "--name", PORTAL, "--out", str(profiles), str(fixtures / PORTAL), env=env)
    assert "every article page explained" in report and (profiles / f"{PORTAL}.toml").exists()
    # 3. the checks, the crawl of the replay, the golden files
    checked = run("fixtures/check_fixtures.py", PORTAL, env=env)
    assert f"{PORTAL}" in checked and " OK " in checked and "2 page(s) not saved" in checked
    items, rejections, proc = crawl(PORTAL, tmp_path / "out.jsonl", f"REPLAY_FIXTURES_DIR={fixtures}", env=env)
    assert "6 pages -> 3 articles, 3 rejections" in proc.stderr and "[ok]" in proc.stderr
    assert sorted(r["reason"] for r in rejections) == ["no-fixture", "no-fixture", "not-article"]
    contracts = subprocess.run([sys.executable, "-m", "scrapy", "check", PORTAL, "-s", f"REPLAY_FIXTURES_DIR={fixtures}"],
                               cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert contracts.returncode == 0 and "Ran 6 contracts" in contracts.stderr, contracts.stderr[-2000:]
    run("tests/golden.py", env=env)
    written = sorted(p.name for p in (goldens / PORTAL).iterdir())
    assert written == sorted(p.name for p in (GOLDEN / PORTAL).iterdir())
    for name in written:   # what the recipe writes is what was reviewed and committed
        assert json.loads((goldens / PORTAL / name).read_text(encoding="utf-8")) == \
            json.loads((GOLDEN / PORTAL / name).read_text(encoding="utf-8")), name
    manifest = json.loads((SAVED / "manifest.json").read_text(encoding="utf-8"))
    by_url = {item["url"]: item for item in items}
    for page in manifest["pages"]:
        golden = json.loads((GOLDEN / PORTAL / (page["file"].rsplit(".", 1)[0] + ".json")).read_text(encoding="utf-8"))
        if "rejection" in golden:
            assert page["url"] not in by_url
            continue
        item = by_url[page["url"]]
        diffs = [k for k in set(golden) | set(item) if golden.get(k) != item.get(k)]
        assert not diffs, f"{page['file']}: {diffs}"
