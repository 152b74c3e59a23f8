"""Learning a portal's template from its own pages: pages in, a profile out (no Scrapy here).

Every page of a portal is printed by the same template. Lines and blocks that recur on many pages
are its chrome; the element that holds the prose that changes from page to page is its body
container. `learn` runs generic mode on each page for the prose and field evidence, then finds the
selectors that name the same places on every page, checks the draft on the pages, and reports what
it chose, on how many pages each choice held, and what it could not explain.

    from cleaners.learn import learn, load_samples
    result = learn(load_samples(["fixtures/xx-county"]), "xx-county")
    print(result.report()); result.write("profiles/")
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..document import ARTICLE_FIELDS
from ..profiles import Profile
from .crawl import learn_crawl, url_patterns
from .dom import norm
from .fields import learn_fields, learn_patterns, learn_pull_quotes
from .pages import InputError, Sample, load_samples
from .study import run_profile, study
from .template import Choice, learn_body, learn_line_patterns, learn_noise
from .writer import to_toml

__all__ = ["InputError", "Learned", "Sample", "learn", "learn_command", "load_samples"]


@dataclass
class Learned:
    name: str
    data: dict                                  # the profile, as the TOML holds it
    choices: list[Choice] = field(default_factory=list)
    articles: int = 0
    pages: int = 0
    unexplained: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # pages generic mode rejected (not articles)

    def profile(self) -> Profile:
        return Profile.from_dict(self.data, f"<learned {self.name}>")

    def toml(self) -> str:
        notes = {}
        for c in self.choices:
            where = {"body": "selectors.body"}.get(c.key, c.extra.get("where", c.key))
            notes[where] = f"held on {c.matched}/{c.total} pages" + (f"; {c.note}" if c.note else "")
        header = [f"{self.name}: drafted by `python -m cleaners learn` from {self.articles} article page(s)"
                  f" ({self.pages} page(s) read).",
                  "Read it, correct it, then hold the portal to golden files (README, \"Adding a portal\")."]
        return to_toml(self.data, notes, header)

    def write(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.toml"
        path.write_text(self.toml(), encoding="utf-8")
        return path

    def report(self) -> str:
        lines = [f"{self.name}: {self.articles} article page(s) of {self.pages} read"]
        for c in self.choices:
            where = c.extra.get("where", c.key)
            value = " | ".join(c.value) if isinstance(c.value, list) else str(c.value)
            lines.append(f"  {where:28s} {value:50s} {c.matched}/{c.total} pages"
                         + (f"  ({c.note})" if c.note else ""))
        for s in self.skipped:
            lines.append(f"  not learned from: {s}")
        for u in self.unexplained:
            lines.append(f"  unexplained: {u}")
        if not self.data.get("url_patterns"):
            lines.append("  no URLs known (no manifest, --url or --url-pattern): the profile is used only "
                         "with --portal NAME")
        if not self.unexplained:
            lines.append("  every article page explained: the draft keeps what generic mode keeps")
        return "\n".join(lines)


def learn(samples: list[Sample], name: str, url_pattern: str | None = None, description: str = "") -> Learned:
    studies, unreadable = study(samples)
    # A manifest says which pages are articles; without one, generic mode's verdict does.
    kinds = any(s.sample.kind for s in studies)
    articles = [s for s in studies if s.generic is not None and (not kinds or s.sample.kind == "article")]
    skipped = [f"{s.label} ({s.reason})" for s in studies if s.generic is None and (not kinds or s.sample.kind == "article")]
    support = 2 if len(articles) >= 2 else 1
    data: dict = {"name": name, "description": description or f"{name}: profile learned from its pages"}
    patterns, domains = url_patterns(studies)
    data["url_patterns"] = [url_pattern] if url_pattern else patterns
    if not data["url_patterns"]:
        del data["url_patterns"]
    skipped += [f"{u} (not an HTML page: empty, binary or undecodable)" for u in unreadable]
    result = Learned(name, data, articles=len(articles), pages=len(samples), skipped=skipped)
    if not articles:
        result.unexplained.append("no page generic mode accepts as an article: nothing to learn from")
        return result

    body = learn_body(articles)
    selectors: dict = {}
    if body is None:
        result.unexplained.append("no element holds the prose on the pages: body container unknown")
        return result
    selectors["body"] = body.value if len(body.value) > 1 else body.value[0]
    result.choices.append(body)
    if body.note:
        result.unexplained.append(body.note)
    result.unexplained += [f"{label}: its body container is its own (a template no other page shares)"
                           for label in body.extra["alone"]]

    for c in learn_fields(articles, body.value, support):
        selectors[c.key] = c.value
        c.extra["where"] = f"selectors.{c.key}"
        result.choices.append(c)
    quotes = learn_pull_quotes(articles, body.value, support)
    if quotes:
        selectors["pull_quotes"] = quotes.value
        quotes.extra["where"] = "selectors.pull_quotes"
        result.choices.append(quotes)
    crawl, crawl_choices = learn_crawl(studies, domains)
    if crawl:
        data["crawl"] = crawl
        for c in crawl_choices:
            c.extra["where"] = f"crawl.{c.key}"
        result.choices += crawl_choices
    data["selectors"] = selectors

    _section(data, result, "noise", learn_noise(articles, body.value, support))
    extra = [c for c in learn_patterns(articles, body.value, support) if c.key not in ARTICLE_FIELDS]
    _section(data, result, "patterns", extra)

    drafted = run_profile(_ordered(data), articles)
    if all(doc is not None and doc.fields.get("datePublished") for doc in drafted):
        data["required"] = ["datePublished"]     # then a page without a date is no article of the site
    removes, unexplained = learn_line_patterns(articles, drafted, support)
    if removes:
        _section(data, result, "remove", removes)
        drafted = run_profile(_ordered(data), articles)
        _, unexplained = learn_line_patterns(articles, drafted, 10 ** 6)
    result.unexplained += unexplained
    for s, doc in zip(articles, drafted):
        if doc is None:
            result.unexplained.append(f"{s.label}: the draft rejects it, generic mode does not")
            continue
        kept = {norm(line.text) for line in doc.lines}
        dropped = {norm(r["text"]) for r in doc.removed if r["rule"].startswith("profile:")}
        lost = [t for t in s.seeds if norm(t) not in kept and norm(t) not in dropped]
        if lost:
            result.unexplained.append(f"{s.label}: the draft loses {len(lost)} line(s) generic mode keeps, "
                                      f"e.g. {lost[0][:50]!r}")
    profile = Profile.from_dict(_ordered(data), f"<learned {name}>")
    for s in articles:
        missing = [k for k in ("headline", "date", "source", "author", "editor", "breadcrumbs")
                   if k in profile.selectors and not profile.select(s.tree.root, k)]
        if missing:
            result.unexplained.append(f"{s.label}: no {', '.join(missing)} where the other pages print them")
    result.data = _ordered(data)
    return result


def _section(data: dict, result: Learned, section: str, choices: list[Choice]) -> None:
    """Write the choices into data[section], one key per kind (several values of a kind as a list)."""
    if not choices:
        return
    table = data.setdefault(section, {})
    for c in choices:
        if c.key in table and section != "patterns":
            table[c.key] = [*([table[c.key]] if isinstance(table[c.key], str) else table[c.key]), c.value]
        else:
            table[c.key] = c.value
        c.extra["where"] = f"{section}.{c.key}"
        result.choices.append(c)


def _ordered(data: dict) -> dict:
    order = ("name", "description", "url_patterns", "required", "crawl", "selectors", "noise", "remove", "patterns")
    return {k: data[k] for k in order if k in data}


def learn_command(args, parser) -> int:
    """`python -m cleaners learn`: write OUT/NAME.toml and print the report."""
    from ..profiles import ProfileError
    from ..profiles.schema import SAFE_NAME, SafePattern
    if not SAFE_NAME.match(args.name):
        parser.error(f"--name {args.name!r}: letters, digits, '-' and '_' only (it becomes a file name)")
    if args.url_pattern:
        try:
            SafePattern(args.url_pattern, "--url-pattern")
        except ProfileError as exc:
            parser.error(str(exc))
    try:
        samples = load_samples(args.pages, args.url)
    except InputError as exc:
        parser.error(str(exc))
    if not samples:
        parser.error("no pages to learn from")
    result = learn(samples, args.name, args.url_pattern)
    print(result.report())
    if not result.articles or "selectors" not in result.data:
        print("no profile written: no article page to learn from")
        return 1
    print(f"wrote {result.write(args.out)}")
    return 0
