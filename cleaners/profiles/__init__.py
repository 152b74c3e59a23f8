"""Portal profiles: everything portal-specific, as data.

A profile is a TOML file (see README, "Adding a portal"). Profiles are matched to pages by URL
regular expressions; a page no profile claims is cleaned in generic mode.

Profiles are checked against a schema as they load (`cleaners.profiles.schema`): a wrong type, an
unknown key, a selector or regex that does not compile, or an unsafe name is an error naming the file
and the key. A registry skips (and logs) a bad profile instead of failing, so one broken file disables
only its own portal. Regexes from profiles run with a time limit (`SafePattern`).
"""
from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .schema import SELECTOR_KEYS, ProfileError, SafePattern, check_profile

BUILTIN_DIR = Path(__file__).parent
# Extra profile folders, os.pathsep-separated; later folders override earlier names.
PATH_ENV = "CLEANERS_PROFILE_PATH"

log = logging.getLogger(__name__)

__all__ = ["BUILTIN_DIR", "PATH_ENV", "Profile", "ProfileError", "ProfileRegistry", "SELECTOR_KEYS",
           "SafePattern"]


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    url_patterns: tuple[SafePattern, ...] = ()
    # field -> selectors tried in order (the first that selects anything wins)
    selectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    noise: dict[str, tuple[str, ...]] = field(default_factory=dict)     # chrome kind -> selectors (all applied)
    remove: dict[str, tuple[SafePattern, ...]] = field(default_factory=dict)  # chrome kind -> line regexes
    patterns: dict[str, SafePattern] = field(default_factory=dict)      # field -> regex with (?P<value>)
    crawl: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()    # fields every article of the portal has (else: not an article)
    source_path: str = ""

    def matches(self, url: str | None) -> bool:
        return bool(url) and any(p.search(url) for p in self.url_patterns)

    def select(self, root, key: str) -> list:
        """The elements the first of the `key` selectors that matches anything selects."""
        from ..html import select
        for selector in self.selectors.get(key, ()):
            found = select(root, selector)
            if found:
                return found
        return []

    def selector_text(self, key: str) -> str:
        """The selectors of `key` as a person reads them (for messages)."""
        return " | ".join(self.selectors.get(key, ()))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source_path: str = "") -> "Profile":
        """A profile from parsed TOML; ProfileError (file, key, problem) if it breaks the schema."""
        checked = check_profile(data, source_path or str(data.get("name", "?")))
        return cls(source_path=source_path, **checked)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Profile":
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"{path}: {exc}") from exc
        return cls.from_dict(data, str(path))


def _claimed_name(path: Path) -> str:
    """The name a (possibly broken) profile file claims: its `name`, else the file's stem."""
    try:
        name = tomllib.loads(path.read_text(encoding="utf-8")).get("name")
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        name = None
    return name if isinstance(name, str) and name else path.stem


class ProfileRegistry:
    """Profiles by name, and URL-rule lookup with generic mode (None) as the fallback.

    `errors` maps the name of every profile that failed to load to the reason; such a portal is
    disabled (an earlier profile of the same name does not silently take its place)."""

    def __init__(self, profiles: list[Profile] | None = None):
        self._by_name: dict[str, Profile] = {}
        self.errors: dict[str, str] = {}
        for profile in profiles or ():
            self.add(profile)

    def add(self, profile: Profile) -> None:
        self._by_name[profile.name] = profile
        self.errors.pop(profile.name, None)

    def disable(self, name: str, reason: str) -> None:
        self._by_name.pop(name, None)
        self.errors[name] = reason
        log.error("profile %r disabled: %s", name, reason)

    @classmethod
    def from_dirs(cls, *dirs: str | os.PathLike) -> "ProfileRegistry":
        registry = cls()
        for directory in dirs:
            for path in sorted(Path(directory).glob("*.toml")):
                try:
                    registry.add(Profile.load(path))
                except ProfileError as exc:
                    registry.disable(_claimed_name(path), str(exc))
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
            if name in self.errors:
                raise ProfileError(f"profile {name!r} is disabled: {self.errors[name]}") from None
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
