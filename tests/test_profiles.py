"""Profiles: loading, validation with clear errors, URL matching with generic fallback."""
import subprocess
import sys

import pytest

from cleaners import Profile, ProfileError, ProfileRegistry
from conftest import FIXTURES, manifests


def test_builtin_profiles_are_the_five_portals():
    assert ProfileRegistry.default().names() == sorted(m["portal"] for m, _ in manifests())


def test_every_fixture_url_resolves_to_its_portal_or_generic():
    registry = ProfileRegistry.default()
    for manifest, _ in manifests():
        for page in manifest["pages"]:
            profile = registry.resolve("auto", page["url"])
            if page["kind"] in ("article", "list"):
                assert profile is not None and profile.name == manifest["portal"], page["url"]


def test_resolve_generic_and_named():
    registry = ProfileRegistry.default()
    url = "http://www.investchn.com/kfqxw/wzxw/2021-12-03/84213.html"
    assert registry.resolve("generic", url) is None
    assert registry.resolve("auto", "http://unknown.example.cn/a.html") is None
    assert registry.resolve("netease-hao", url).name == "netease-hao"
    with pytest.raises(ProfileError, match="no profile named 'nope'"):
        registry.resolve("nope", url)


@pytest.mark.parametrize("data, message", [
    ({}, "needs a string 'name'"),
    ({"name": "x", "url_patterns": ["("]}, "bad regular expression"),
    ({"name": "x", "patterns": {"zone": "发布开发区:(.*)"}}, "group named 'value'"),
    ({"name": "x", "selectors": {"bdoy": "div"}}, "unknown selector keys"),
])
def test_bad_profiles_are_refused_with_a_reason(data, message):
    with pytest.raises(ProfileError, match=message):
        Profile.from_dict(data, "test.toml")


def test_profile_path_env_adds_and_overrides(tmp_path, monkeypatch):
    (tmp_path / "investchn.toml").write_text('name = "investchn"\ndescription = "override"\n', encoding="utf-8")
    (tmp_path / "new-portal.toml").write_text('name = "new-portal"\nurl_patterns = [\'^https?://new\\.example\\.cn/\']\n', encoding="utf-8")
    monkeypatch.setenv("CLEANERS_PROFILE_PATH", str(tmp_path))
    registry = ProfileRegistry.default()
    assert registry.get("investchn").description == "override"
    assert registry.match("https://new.example.cn/a.html").name == "new-portal"


def test_fixture_checker_passes():
    proc = subprocess.run([sys.executable, str(FIXTURES / "check_fixtures.py")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" OK ") == len(list(manifests()))
