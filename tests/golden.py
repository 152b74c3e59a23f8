"""Golden expected items for fixture pages (tests/golden/<portal>/<page>.json).

`python tests/golden.py` writes the golden file of every fixture page that has none yet, to be read
by eye before it is committed. It never overwrites one: a golden file is changed by hand, with a
reason, never regenerated to make a failing test pass.
"""
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cleaners import Cleaner, Page  # noqa: E402

# Both folders can be moved for a portal kept outside the repository (README, "Adding a portal"):
# REPLAY_FIXTURES_DIR as for the crawler, GOLDEN_DIR for its golden files.
GOLDEN = Path(os.environ.get("GOLDEN_DIR") or HERE / "golden")
FIXTURES = Path(os.environ.get("REPLAY_FIXTURES_DIR") or HERE.parent / "fixtures")


def fixture_pages():
    for manifest_path in sorted(FIXTURES.glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for page in manifest["pages"]:
            yield manifest["portal"], page, manifest_path.parent


def golden_path(portal: str, page: dict) -> Path:
    return GOLDEN / portal / (Path(page["file"]).stem + ".json")


def actual(cleaner: Cleaner, page: dict, folder: Path) -> dict:
    body = (folder / page["file"]).read_bytes()
    result = cleaner.run(Page(body=body, url=page["url"], headers={"content-type": page["content_type"]},
                              status=page.get("status", 200)))
    if "reason" in result:
        return {"rejection": {"reason": result["reason"]}}
    return result


def main() -> int:
    cleaner = Cleaner()
    written = 0
    for portal, page, folder in fixture_pages():
        path = golden_path(portal, page)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual(cleaner, page, folder), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        print(f"wrote {path}: review it before committing")
        written += 1
    print(f"{written} new golden file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
