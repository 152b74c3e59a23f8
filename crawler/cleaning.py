"""Cleaning one page: what the pipeline runs on the reactor (CLEANERS_WORKERS=0) and what each
cleaning worker process runs (crawler.cleaning_pool). No Scrapy import here: a worker process that
imports only this module and the cleaners is ~35 MiB smaller than one that loads Scrapy and Twisted.
"""
from __future__ import annotations

import copy
import json
import logging
import os
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from cleaners import Cleaner, Page, ProfileRegistry, Rejected
from cleaners.learn.site import as_site_template, site_rule
from cleaners.processes import exit_with_parent
from cleaners.profiles import Profile, ProfileError
from cleaners.rules import DEFAULT_RULES

from . import fingerprints

logger = logging.getLogger(__name__)

# The settings a Cleaner is built from (`cleaner_from_values`), and whether to fingerprint articles
# for DuplicatesPipeline: what crawler.cleaning_pool hands each worker, as plain values.
CLEANER_SETTINGS = ("CLEANERS_PROFILE_PATH", "CLEANERS_CONVERT", "CLEANERS_GENERIC_EXTRACTOR",
                    "CLEANERS_RULES", "CLEANERS_RULES_DISABLED", "DUPLICATES_ENABLED")


@dataclass
class Outcome:
    """What cleaning one page gave: an article's fields or a rejection record, and the removals
    each rule made (for the stats)."""
    record: dict
    article: bool
    counters: Counter = field(default_factory=Counter)
    failed_step: str | None = None
    prints: fingerprints.Prints | None = None  # the body's, when a cleaning worker computed them


def portal_name(cleaner: Cleaner, profile: str | None, url: str) -> str:
    """The profile a page is cleaned with (`profile`, else the one whose url_patterns match), or generic."""
    resolved = cleaner.registry.resolve(profile or "auto", url)
    return resolved.name if resolved else "generic"


def clean_page(cleaner: Cleaner, page: Page, profile: str | dict | None = None) -> Outcome:
    """Every step of the cleaners on one page; never raises (a step that breaks is a rejection).
    Plain data in and out, so it can run in another thread or process. `profile` is a profile's name,
    or a site's learned template as profile data (crawler.site_templates)."""
    if isinstance(profile, dict):
        return clean_with_template(cleaner, page, profile)
    name = portal_name(cleaner, profile, page.url)
    doc, step = None, "load"
    try:
        doc = cleaner.load(page, name)
        for step, run in (("extract", cleaner.extract), ("clean", cleaner.clean),
                          ("normalise", cleaner.normalise), ("validate", cleaner.validate)):
            run(doc)
    except Rejected as rejection:
        return rejected(page, name, rejection, doc)
    except RecursionError:
        return rejected(page, name, Rejected("too-deep", "the page nests elements too deeply to parse"), doc)
    except Exception as exc:  # a page that breaks a step is a rejection, never a crash
        outcome = rejected(page, name, Rejected("extract-failed", f"{step}: {type(exc).__name__}: {exc}"), doc)
        outcome.failed_step = step
        return outcome
    return Outcome(doc.to_item(), True, Counter(doc.counters))


def rejected(page: Page, portal: str, rejection: Rejected, doc) -> Outcome:
    record = {"url": page.url, "portal": portal, "status": page.status, "reason": rejection.reason,
              "detail": rejection.detail}
    return Outcome(record, False, Counter(doc.counters) if doc is not None else Counter())


def _names(value) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)


def cleaner_from_values(values: dict) -> Cleaner:
    """A Cleaner from plain setting values (see crawler.pipelines.build_cleaner, which documents
    them). ValueError names unknown rules."""
    dirs = values.get("CLEANERS_PROFILE_PATH") or []
    registry = ProfileRegistry.default()
    for directory in dirs.split(os.pathsep) if isinstance(dirs, str) else dirs:
        for profile in ProfileRegistry.from_dirs(directory) if directory else ():
            registry.add(profile)
    names = _names(values.get("CLEANERS_RULES"))
    disabled = set(_names(values.get("CLEANERS_RULES_DISABLED")))
    known = {rule.name for rule in DEFAULT_RULES}
    unknown = (set(names) | disabled) - known
    if unknown:
        raise ValueError(f"CLEANERS_RULES / CLEANERS_RULES_DISABLED: unknown rules {sorted(unknown)}; "
                         f"known: {', '.join(sorted(known))}")
    rules = tuple(r for r in DEFAULT_RULES if (not names or r.name in names) and r.name not in disabled)
    return Cleaner(registry=registry, convert=values.get("CLEANERS_CONVERT") or None,
                   generic=values.get("CLEANERS_GENERIC_EXTRACTOR") or "generic", rules=rules)


# --- in a cleaning worker process --------------------------------------------------------------
_worker_cleaner: Cleaner | None = None
_worker_prints = False  # also fingerprint each article for DuplicatesPipeline (off the reactor)


def init_worker(values: dict) -> None:
    global _worker_cleaner, _worker_prints
    exit_with_parent()
    _worker_cleaner = cleaner_from_values(values)
    enabled = values.get("DUPLICATES_ENABLED", True)
    _worker_prints = enabled.lower() not in ("0", "false", "") if isinstance(enabled, str) else bool(enabled)


def clean_in_worker(page: Page, profile: str | dict | None) -> Outcome:
    """The task a worker runs (module level, so it pickles by name)."""
    outcome = clean_page(_worker_cleaner, page, profile)
    body = outcome.record.get("articleBody") if outcome.article else None
    if _worker_prints and body:
        outcome.prints = fingerprints.Prints(body)
    return outcome


def run_batch(task, jobs: list) -> list:
    """What a worker runs for crawler.cleaning_pool: `task(page, profile)` for each job of a batch,
    so a batch of pages costs one pickle each way and one wake-up of the crawl's reactor. Here, not
    in the pool's module, so a worker unpickling it imports no Twisted."""
    return [task(page, profile) for page, profile in jobs]


# --- cleaning with a template (in the pipeline's process or a pool worker) ------------------------

_CLEANERS: "OrderedDict[tuple, Cleaner | None]" = OrderedDict()
_CACHED = 64


def clean_with_template(cleaner: Cleaner, page: Page, template: dict):
    """`clean_page` with a site's learned template (profile data): the article it gives, its removals
    recorded as `site-template:<kind>`; a page the template does not fit (rejected by it) is cleaned
    in generic mode, as is every page when the template data is unusable."""
    templated = _templated(cleaner, template)
    if templated is not None:
        outcome = clean_page(templated, page, templated.registry.names()[0])
        if outcome.article:
            as_site_template(outcome.record)
            outcome.counters = Counter({site_rule(rule): n for rule, n in outcome.counters.items()})
            return outcome
    return clean_page(cleaner, page, "generic")


def _templated(cleaner: Cleaner, template: dict) -> Cleaner | None:
    """The cleaner with the template as its only profile (same rules, conversion, extractor)."""
    key = (id(cleaner), json.dumps(template, sort_keys=True, ensure_ascii=False))
    if key in _CLEANERS:
        _CLEANERS.move_to_end(key)
        return _CLEANERS[key]
    try:
        profile = Profile.from_dict(template, f"<site template {template.get('name')}>")
        templated = copy.copy(cleaner)
        templated.registry = ProfileRegistry([profile])
    except (ProfileError, TypeError, ValueError) as exc:
        logger.warning("Unusable site template %s: %s", template.get("name"), exc)
        templated = None
    _CLEANERS[key] = templated
    while len(_CLEANERS) > _CACHED:
        _CLEANERS.popitem(last=False)
    return templated
