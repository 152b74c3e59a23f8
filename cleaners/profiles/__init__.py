"""Portal profiles: everything portal-specific, as data.

A profile is a TOML file (see README, "Adding a portal"). Profiles are matched to pages by URL
regular expressions; a page no profile claims is cleaned in generic mode.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUILTIN_DIR = Path(__file__).parent
# Extra profile folders, os.pathsep-separated; later folders override earlier names.
PATH_ENV = "CLEANERS_PROFILE_PATH"

_SELECTOR_KEYS = ("body", "headline", "date", "source", "author", "editor", "breadcrumbs", "tags",
                  "pull_quotes", "description")


class ProfileError(ValueError):
    pass


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    url_patterns: tuple[re.Pattern, ...] = ()
    selectors: dict[str, str] = field(default_factory=dict)
    noise: dict[str, str] = field(default_factory=dict)        # chrome kind -> CSS selector
    patterns: dict[str, re.Pattern] = field(default_factory=dict)  # field -> regex with (?P<value>)
    crawl: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()    # fields every article of the portal has (else: not an article)
    source_path: str = ""

    def matches(self, url: str | None) -> bool:
        return bool(url) and any(p.search(url) for p in self.url_patterns)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source_path: str = "") -> "Profile":
        where = source_path or data.get("name", "?")
        name = data.get("name")
        if not name or not isinstance(name, str):
            raise ProfileError(f"{where}: a profile needs a string 'name'")
        unknown = set(data.get("selectors", {})) - set(_SELECTOR_KEYS)
        if unknown:
            raise ProfileError(f"{where}: unknown selector keys {sorted(unknown)}; "
                               f"known: {', '.join(_SELECTOR_KEYS)}")
        try:
            urls = tuple(re.compile(p) for p in data.get("url_patterns", ()))
            patterns = {k: re.compile(v) for k, v in data.get("patterns", {}).items()}
        except re.error as exc:
            raise ProfileError(f"{where}: bad regular expression: {exc}") from exc
        for key, rx in patterns.items():
            if "value" not in rx.groupindex:
                raise ProfileError(f"{where}: pattern '{key}' needs a group named 'value'")
        return cls(
            name=name,
            description=data.get("description", ""),
            url_patterns=urls,
            selectors={k: v for k, v in data.get("selectors", {}).items() if v},
            noise=dict(data.get("noise", {})),
            patterns=patterns,
            crawl=dict(data.get("crawl", {})),
            required=tuple(data.get("required", ())),
            source_path=source_path,
        )

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Profile":
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"{path}: {exc}") from exc
        return cls.from_dict(data, str(path))


class ProfileRegistry:
    """Profiles by name, and URL-rule lookup with generic mode (None) as the fallback."""

    def __init__(self, profiles: list[Profile] | None = None):
        self._by_name: dict[str, Profile] = {}
        for profile in profiles or ():
            self.add(profile)

    def add(self, profile: Profile) -> None:
        self._by_name[profile.name] = profile

    @classmethod
    def from_dirs(cls, *dirs: str | os.PathLike) -> "ProfileRegistry":
        registry = cls()
        for directory in dirs:
            for path in sorted(Path(directory).glob("*.toml")):
                registry.add(Profile.load(path))
        return registry

    @classmethod
    def default(cls) -> "ProfileRegistry":
        extra = [d for d in os.environ.get(PATH_ENV, "").split(os.pathsep) if d]
        return cls.from_dirs(BUILTIN_DIR, *extra)

    def __iter__(self):
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def get(self, name: str) -> Profile:
        try:
            return self._by_name[name]
        except KeyError:
            raise ProfileError(f"no profile named {name!r}; known: {', '.join(self.names())}") from None

    def match(self, url: str | None) -> Profile | None:
        for profile in self._by_name.values():
            if profile.matches(url):
                return profile
        return None

    def resolve(self, portal: str | None, url: str | None) -> Profile | None:
        """`auto` (or None): by URL, else generic; `generic`: no profile; a name: that profile."""
        if portal in (None, "", "auto"):
            return self.match(url)
        if portal == "generic":
            return None
        return self.get(portal)
