"""Writes the review site: index.html and one page view per crawled page, all static and
self-contained (CSS and JS inlined from this package), so it opens from file:// with no network."""
from __future__ import annotations

import functools

import hashlib
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from string import Template

from ..document import Rejected
from ..encoding import decode
from .golden import Comparison, Goldens
from .highlight import Located, mark_removed
from .sanitise import sanitise, to_document
from .sources import PageStore, Record, portal_of

# The review's own pages run only their inline script and style; they load nothing.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")
# Item fields shown in the metadata table, in this order (body, quotes and removals have their own).
META_FIELDS = ("datePublished", "datePublishedRaw", "authors", "source", "editor", "breadcrumbs", "tags",
               "description", "inLanguage", "additionalProperties", "scriptConverted", "extractor",
               "encoding")


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


# Light, mutually distinct colours (ColorBrewer Set3/Set2 tones) that text stays readable on.
PALETTE = ("#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#bc80bd", "#ffed6f", "#8dd3c7", "#fccde5",
           "#bebada", "#e5c494", "#66c2a5", "#a6d854")


def rule_colour(number: int) -> str:
    """A rule's colour: the palette, then well-separated hues (golden angle) past its end."""
    if number < len(PALETTE):
        return PALETTE[number]
    return f"hsl({(number * 137.508) % 360:.0f} 80% 75%)"


@dataclass
class Entry:
    """One page of the review: an article or a rejection, with what we know about its original."""
    record: Record
    portal: str
    href: str = ""
    removed_chars: int = 0
    located: Located | None = None
    original_note: str = ""
    comparison: Comparison | None = None

    @functools.cached_property
    def removed(self) -> list[dict]:
        """The item's removals as {"rule", "text"} strings, whatever the record held (built once:
        the page view reads it once per mark)."""
        removed = self.record.data.get("removed")
        return [{"rule": str(r.get("rule") or "?"), "text": str(r.get("text") or "")}
                for r in (removed if isinstance(removed, list) else []) if isinstance(r, dict)]


@dataclass
class Review:
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rule_ids: dict[str, int] = field(default_factory=dict)

    @property
    def portals(self) -> dict[str, list[Entry]]:
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.portal, []).append(entry)
        return grouped


def build(records: list[Record], out: Path, store: PageStore | None = None,
          goldens: Goldens | None = None, notes: list[str] = ()) -> Path:
    """Write the site into `out`; returns the path of index.html."""
    store = store or PageStore()
    review = Review(notes=list(notes) + store.problems + (goldens.problems if goldens else []))
    for record in records:
        store.add_local(record)
        review.entries.append(Entry(record, portal_of(record, store)))
    if goldens is not None:
        review.notes += goldens.not_in(review.entries)
    rules = sorted({r["rule"] for e in review.entries for r in e.removed})
    review.rule_ids = {rule: number for number, rule in enumerate(rules)}
    for entry in review.entries:
        entry.removed_chars = sum(len(r["text"]) for r in entry.removed)
    # Portal by portal; within a portal, most removed first (articles before rejections).
    review.entries.sort(key=lambda e: (e.portal, not e.record.is_article, -e.removed_chars, e.record.url))
    for number, entry in enumerate(review.entries):
        digest = hashlib.sha1(entry.record.url.encode("utf-8", "replace")).hexdigest()[:10]
        entry.href = f"view/{_safe(entry.portal)}/{number:04d}-{digest}.html"
    out = Path(out)
    shutil.rmtree(out / "view", ignore_errors=True)    # views of pages an earlier build had
    out.mkdir(parents=True, exist_ok=True)
    assets = {"css": _asset("review.css"), "js": _asset("review.js"), "rule_css": _rule_css(review.rule_ids),
              "head": Template(_asset("head.html")).substitute(csp=CSP)}   # the <head> both pages open with
    frame_css = _asset("frame.css") + _rule_css(review.rule_ids, frame=True)
    for number, entry in enumerate(review.entries):
        if goldens is not None:
            entry.comparison = goldens.compare(entry.record)
        original = _original(entry, store, review.rule_ids, frame_css)
        previous = review.entries[number - 1] if number > 0 else None
        following = review.entries[number + 1] if number + 1 < len(review.entries) else None
        page = _page_html(entry, number, len(review.entries), previous, following, original, review.rule_ids, assets)
        path = out / entry.href
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    index = out / "index.html"
    index.write_text(_index_html(review, goldens is not None, assets), encoding="utf-8")
    return index


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)[:60] or "_"


def _rule_css(rule_ids: dict[str, int], frame: bool = False) -> str:
    lines = []
    for number in rule_ids.values():
        colour = rule_colour(number)
        if frame:
            lines.append(f'mark.rv-hl[data-rule="{number}"] {{ background: {colour}; }}')
            lines.append(f'html.rv-off-{number} mark.rv-hl[data-rule="{number}"] '
                         "{ background: transparent; box-shadow: none; }")
        else:
            lines.append(f'.rv-swatch[data-rule="{number}"], li[data-rule="{number}"] .rv-swatch '
                         f"{{ background: {colour}; }}")
            lines.append(f'body.rv-off-{number} li[data-rule="{number}"] {{ opacity: .35; }}')
    return "\n".join(lines)


def _original(entry: Entry, store: PageStore, rule_ids: dict[str, int], frame_css: str) -> str | None:
    """The sanitised original with the removed spans marked, as a whole document; None if there is
    none (and entry.original_note says why)."""
    saved = store.get(entry.record.url)
    if saved is None:
        entry.original_note = ("The original page is not available: give the saved pages with "
                               "--pages DIR (or --fixtures), or crawl with REVIEW_DIR set.")
        return None
    try:
        text, _ = decode(saved.read(), saved.content_type)
        root = sanitise(text)
        if entry.record.is_article:
            kept = [line for line in str(entry.record.data.get("articleBody") or "").split("\n") if line.strip()]
            entry.located = mark_removed(root.find("body"), entry.removed, rule_ids, kept)
        return to_document(root, f"<style>{frame_css}</style>")
    except OSError as exc:
        entry.original_note = f"The saved page cannot be read: {exc}"
    except Rejected as rejection:
        entry.original_note = f"The saved page cannot be shown: {rejection}"
    except (ValueError, RecursionError) as exc:     # lxml on a page it cannot rebuild or serialise
        entry.original_note = f"The saved page cannot be shown: {type(exc).__name__}: {exc}"
    entry.located = None
    return None


def _page_html(entry: Entry, number: int, total: int, previous: Entry | None, following: Entry | None,
               original: str | None, rule_ids: dict[str, int], assets: dict) -> str:
    up = "../../"
    data = entry.record.data
    if original is None:
        frame = f'<div class="rv-noframe">{escape(entry.original_note)}</div>'
    else:
        # No allow-scripts: nothing in the page runs. allow-same-origin only lets this page's own
        # script reach into the frame to toggle highlight classes.
        frame = (f'<iframe id="rv-frame" title="original page" sandbox="allow-same-origin" '
                 f'referrerpolicy="no-referrer" srcdoc="{escape(original, quote=True)}"></iframe>')
    fields = {
        "title": escape(f"{entry.portal}: {data.get('headline') or entry.record.url}"),
        "portal": escape(entry.portal), "position": f"{number + 1}/{total}",
        "next": escape(up + following.href) if following else "",
        "prev": escape(up + previous.href) if previous else "",
        "index": up + "index.html",
        "kind": "article" if entry.record.is_article else "rejection",
        "kind_label": "article" if entry.record.is_article else escape(f"rejected: {entry.record.reason}"),
        "url": escape(entry.record.url), "legend": _legend(entry, rule_ids), "frame": frame,
        "item": _item_panel(entry, rule_ids),
    }
    return Template(_asset("page.html")).substitute({**assets, **fields})


def _legend(entry: Entry, rule_ids: dict[str, int]) -> str:
    counts = Counter(r["rule"] for r in entry.removed)
    kept = ""
    if entry.located and entry.located.kept_total:
        kept = (f'<label title="the article body\'s lines found in the page (underlined)">'
                f'<input type="checkbox" checked data-rule="kept"><span class="rv-swatch rv-swatch-kept"></span>'
                f'kept <small>{entry.located.kept_found}/{entry.located.kept_total} lines</small></label>')
    if not counts:
        return kept + ('<span class="rv-muted">nothing removed</span>' if entry.record.is_article else "")
    shown = Counter()
    if entry.located:
        for index in entry.located.marks:
            shown[entry.removed[index]["rule"]] += 1
    parts = []
    for rule in sorted(counts, key=lambda r: (-counts[r], r)):
        number = rule_ids[rule]
        parts.append(f'<label title="{shown[rule]} of {counts[rule]} located in the page">'
                     f'<input type="checkbox" checked data-rule="{number}">'
                     f'<span class="rv-swatch" data-rule="{number}"></span>{escape(rule)} '
                     f'<small>{shown[rule]}/{counts[rule]}</small></label>')
    return "".join(parts) + kept


def _value(value) -> str:
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return "<br>".join(f"{escape(str(v['name']))}: {escape(str(v.get('value')))}" for v in value)
    if isinstance(value, list):
        return " · ".join(escape(str(v)) for v in value)
    if isinstance(value, (dict,)):
        return escape(json.dumps(value, ensure_ascii=False))
    return escape(str(value))


def _item_panel(entry: Entry, rule_ids: dict[str, int]) -> str:
    data = entry.record.data
    out = []
    if not entry.record.is_article:
        detail = data.get("detail") or ""
        out.append(f'<div class="rv-rejection" id="rv-reason">Rejected: <code>{escape(entry.record.reason)}</code>'
                   f'{"<br>" + escape(str(detail)) if detail else ""}'
                   f'{"<br>HTTP status " + escape(str(data["status"])) if data.get("status") else ""}</div>')
    else:
        out.append(f'<h1 id="rv-headline">{escape(str(data.get("headline") or "(no headline)"))}</h1>')
    if entry.comparison is not None:
        out.append(_comparison_html(entry.comparison))
    rows = [f"<tr><th>{escape(k)}</th><td>{_value(data[k])}</td></tr>" for k in META_FIELDS if data.get(k)]
    if rows:
        out.append(f'<table class="rv-meta" id="rv-meta">{"".join(rows)}</table>')
    if entry.removed:
        missing = set(entry.located.missing) if entry.located else set(range(len(entry.removed)))
        items = []
        for index, removal in enumerate(entry.removed):
            number = rule_ids[removal["rule"]]
            cls = ' class="rv-missing"' if index in missing else ""
            items.append(f'<li data-rule="{number}" data-entry="{index}"{cls}><span class="rv-swatch"></span>'
                         f'<b>{escape(removal["rule"])}</b>: {escape(removal["text"])}</li>')
        out.append(f"<h2>Removed ({len(entry.removed)})</h2><ul class=\"rv-removed\" id=\"rv-removed\">"
                   + "".join(items) + "</ul>")
    if entry.record.is_article:
        paragraphs = [p for p in str(data.get("articleBody") or "").split("\n") if p.strip()]
        out.append(f"<h2>Body ({len(paragraphs)} paragraphs)</h2>")
        out.append('<div class="rv-body" id="rv-body">' + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
                   + "</div>")
        quotes = data.get("pullQuotes") or []
        if quotes:
            out.append("<h2>Pull quotes</h2><div class=\"rv-quotes\" id=\"rv-quotes\">"
                       + "".join(f"<blockquote>{escape(str(q))}</blockquote>" for q in quotes) + "</div>")
    return "\n".join(out)


def _comparison_html(c: Comparison) -> str:
    if c.status == "no-golden":
        return '<h2>Against the golden file</h2><p class="rv-status-no-golden" id="rv-golden">no golden file for this page</p>'
    out = [f'<h2>Against the golden file</h2><div id="rv-golden"><p class="rv-status-{c.status}">'
           f'{"same as" if c.status == "same" else "differs from"} <code>{escape(c.golden_file)}</code>'
           + (f": {c.gained} line(s) gained, {c.lost} lost" if c.diff else "") + "</p>"]
    if c.fields:
        rows = "".join(f'<tr><th>{escape(n)}</th><td class="rv-old">{_value(old) if old is not None else "—"}</td>'
                       f'<td class="rv-new">{_value(new) if new is not None else "—"}</td></tr>'
                       for n, old, new in c.fields)
        out.append(f'<table class="rv-fieldchanges"><tr><th>field</th><th>golden</th><th>now</th></tr>{rows}</table>')
    if c.diff:
        kinds = {"+": "rv-add", "-": "rv-del", " ": "rv-ctx"}
        out.append('<div class="rv-diff">' + "".join(f'<div class="{kinds[op]}">{escape(line)}</div>'
                                                    for op, line in c.diff) + "</div>")
    for title, removals in (("removals gained", c.removals_gained), ("removals lost", c.removals_lost)):
        if removals:
            out.append(f"<p>{title}:</p><ul>" + "".join(
                f"<li><b>{escape(r['rule'])}</b>: {escape(r['text'])}</li>" for r in removals) + "</ul>")
    out.append("</div>")
    return "".join(out)


def _chart(counts: Counter, rule_ids: dict[str, int]) -> str:
    """Removals per rule as horizontal bars (inline SVG, no script)."""
    if not counts:
        return "<p>No removals.</p>"
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    label_w, bar_w, row_h = 190, 360, 20
    top = max(counts.values())
    height = row_h * len(ordered) + 4
    bars = []
    for row, (rule, count) in enumerate(ordered):
        y = row * row_h + 2
        width = max(2, round(bar_w * count / top))
        bars.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(rule)}</text>'
                    f'<rect x="{label_w}" y="{y + 2}" width="{width}" height="{row_h - 5}" '
                    f'fill="{rule_colour(rule_ids[rule])}" stroke="#0003"><title>{escape(rule)}: {count}</title></rect>'
                    f'<text x="{label_w + width + 5}" y="{y + 14}">{count}</text>')
    return (f'<svg class="rv-chart" role="img" aria-label="removals per rule" width="{label_w + bar_w + 50}" '
            f'height="{height}" viewBox="0 0 {label_w + bar_w + 50} {height}">{"".join(bars)}</svg>')


def _index_html(review: Review, against: bool, assets: dict) -> str:
    sections, toc = [], []
    articles = sum(1 for e in review.entries if e.record.is_article)
    for portal, entries in review.portals.items():
        anchor = "portal-" + _safe(portal)
        arts = [e for e in entries if e.record.is_article]
        reasons = Counter(e.record.reason.split(" ")[0] for e in entries if not e.record.is_article)
        removals = Counter(r["rule"] for e in entries for r in e.removed)
        located = sum(e.located.found for e in entries if e.located)
        summary = (f"{len(entries)} pages → {len(arts)} articles, {len(entries) - len(arts)} rejections"
                   + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) + ")" if reasons else ""))
        golden_line = ""
        if against:
            status = Counter(e.comparison.status for e in entries if e.comparison)
            golden_line = ("<p>Against the golden files: " + ", ".join(
                f'<span class="rv-status-{k}">{v} {k}</span>' for k, v in sorted(status.items())) + "</p>")
        rows = []
        for entry in entries:
            data = entry.record.data
            title = data.get("headline") if entry.record.is_article else f"rejected: {entry.record.reason}"
            golden = ""
            if entry.comparison is not None:
                c = entry.comparison
                golden = (f'<td class="rv-status-{c.status}">{c.status}'
                          + (f" (+{c.gained} −{c.lost} lines, {len(c.fields)} fields)" if c.status == "changed" else "")
                          + "</td>")
            rows.append(
                f'<tr data-href="{escape(entry.href)}"><td><a href="{escape(entry.href)}">{escape(str(title or entry.record.url))}</a>'
                f'<br><small>{escape(entry.record.url)}</small></td>'
                f'<td>{"article" if entry.record.is_article else "rejection"}</td>'
                f'<td class="num">{len(entry.removed)}</td><td class="num">{entry.removed_chars}</td>'
                f'<td class="num">{f"{entry.located.found}/{len(entry.removed)}" if entry.located and entry.removed else "–"}</td>'
                f'{golden}</tr>')
        head = ("<tr><th>page</th><th>kind</th><th>removals</th><th>chars removed</th><th>located</th>"
                + ("<th>golden</th>" if against else "") + "</tr>")
        sections.append(
            f'<section id="{anchor}"><h2>{escape(portal)}</h2><p>{escape(summary)}; '
            f'{sum(removals.values())} removals, {located} located in the original pages.</p>{golden_line}'
            f'<h3>Removals per rule</h3>{_chart(removals, review.rule_ids)}'
            f'<table class="rv-table">{head}{"".join(rows)}</table></section>')
        toc.append(f'<a href="#{anchor}">{escape(portal)}</a> ({len(entries)})')
    notes = "".join(f"<li>{escape(n)}</li>" for n in review.notes)
    fields = {
        "summary": escape(f"{len(review.entries)} pages, {articles} articles, "
                          f"{len(review.entries) - articles} rejections, {len(review.portals)} portals"),
        "first": escape(review.entries[0].href) if review.entries else "",
        "notes": f'<ul class="rv-notes">{notes}</ul>' if notes else "",
        "toc": "<p>" + " · ".join(toc) + "</p>" if toc else "<p>No pages.</p>",
        "portals": "\n".join(sections),
    }
    return Template(_asset("index.html")).substitute({**assets, **fields})
