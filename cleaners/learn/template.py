"""The portal's template: the element that holds the varying prose on every page (the body
container), the named blocks inside it that hold no prose (noise), and the lines inside it that
recur across pages but are not prose (line patterns)."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..html import element_lines
from ..profiles.schema import KIND
from .dom import ancestors, candidates, contains, norm, own_handles, squash, text_of
from .study import Study


# The container must hold this share of the text generic mode found on the page.
COVERAGE = 0.9


@dataclass
class Choice:
    """One learned setting: its value, on how many pages it held, and notes for the report."""
    key: str
    value: object
    matched: int
    total: int
    note: str = ""
    extra: dict = field(default_factory=dict)


def _coverage(el, study: Study) -> float:
    """Share of generic mode's body text (in characters) that lies inside `el`."""
    held = [(h, len(t)) for h, t in zip(study.holders, study.seeds) if h is not None]
    total = sum(n for _, n in held)
    return sum(n for h, n in held if contains(el, h)) / total if total else 0.0


def learn_body(studies: list[Study]) -> Choice | None:
    """Selectors (tried in order) for the element holding each page's prose and little else."""
    usable = [s for s in studies if s.lca is not None]
    if not usable:
        return None
    pool: list[str] = []
    for s in usable:
        for el in [s.lca, *ancestors(s.lca)]:
            if el.tag in ("html", "body"):
                break
            pool += [c for c in candidates(el) if c not in pool]

    def score(selector: str, among: list[Study]):
        ok, excess = [], 0
        for s in among:
            found = s.tree.select(selector)
            if found and _coverage(found[0], s) >= COVERAGE:
                ok.append(s)
                excess += max(len(squash(text_of(found[0]))) - sum(len(squash(t)) for t in s.seeds), 0)
        return ok, excess

    chosen: list[str] = []
    alone: list[str] = []     # pages whose container no other page shares (a template seen once)
    left = usable
    while left and pool:
        ranked = sorted(((score(sel, left), i, sel) for i, sel in enumerate(pool)),
                        key=lambda r: (-len(r[0][0]), r[0][1], r[1]))
        (ok, _), _, best = ranked[0]
        if not ok:
            break
        chosen.append(best)
        if len(ok) == 1 and len(usable) > 1:
            alone.append(ok[0].label)
        left = [s for s in left if s not in ok]
    if not chosen:
        return None
    return Choice("body", chosen, len(usable) - len(left), len(studies),
                  note="" if not left else "no container found on " + ", ".join(s.label for s in left),
                  extra={"alone": alone})


def container_of(study: Study, selectors: list[str]):
    """The element the body selectors (tried in order) name on this page, or None."""
    for sel in selectors:
        found = study.tree.select(sel)
        if found:
            return found[0]
    return None


def _rule_for(text: str, study: Study) -> str | None:
    """The shared rule that removed this text in generic mode, if one did."""
    if study.generic is None:
        return None
    key = norm(text)
    for record in study.generic.removed:
        if key and key in norm(record["text"]) and not record["rule"].startswith(("density", "site-description")):
            return record["rule"]
    return None


def _kind(selector_or_label: str, texts_rules: list[str | None]) -> str:
    rules = Counter(r for r in texts_rules if r)
    if rules:
        return rules.most_common(1)[0][0]
    name = re.sub(r"^[a-z0-9]*[.#]", "", selector_or_label.split()[-1])
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "template"
    return name if KIND.match(name) else "template"


def learn_noise(studies: list[Study], body: list[str], support: int) -> list[Choice]:
    """Named blocks inside the container that hold no prose on every page where they appear."""
    seen: dict[str, dict] = defaultdict(lambda: {"chrome": set(), "prose": set(), "rules": []})
    containers = {}
    for i, s in enumerate(studies):
        container = container_of(s, body) if s.generic is not None else None
        if container is None:
            continue
        containers[i] = container
        held = [h for h in s.holders if h is not None]
        for el in container.iterdescendants():
            if not isinstance(el.tag, str) or any(contains(h, el) for h in held):
                continue
            handles = own_handles(el)
            if not handles or not text_of(el):
                continue
            prose = any(contains(el, h) for h in held)
            for handle in handles:
                entry = seen[handle]
                entry["prose" if prose else "chrome"].add(i)
                if not prose:
                    entry["rules"] += [_rule_for(line.text, s) for line in element_lines(el)]
    picked = [h for h, e in seen.items() if len(e["chrome"]) >= support and not e["prose"]]
    # one selector per block: drop a block inside another picked block, and a second name of one block
    out, covered = [], []
    for handle in sorted(picked, key=lambda h: -len(seen[h]["chrome"])):
        els = [el for i, c in containers.items() for el in c.cssselect(handle)]
        if any(all(any(contains(o, el) for o in oe) for el in els) for oe in covered):
            continue
        covered.append(els)
        e = seen[handle]
        out.append(Choice(_kind(handle, e["rules"]), handle, len(e["chrome"]), len(studies)))
    return out


# Short labelled lines ('摄影：某某', '图片来源：…') within this many lines of the container's start or
# end are credits when their label recurs across pages, even where generic mode kept them.
EDGE, CREDIT_CHARS = 3, 40
_LABEL = re.compile(r"^\s*[【\[(（]?\s*([^\s:：]{1,10})\s*[:：]")


def learn_line_patterns(studies: list[Study], drafted: list, support: int) -> tuple[list[Choice], list[str]]:
    """Lines the draft keeps that generic mode dropped: a line that recurs on `support` pages, or a
    label ('责任编辑：…') that does, becomes a [remove] pattern; the rest are reported."""
    body_keys = {norm(t) for s in studies for t in s.seeds}
    exact: dict[str, set] = defaultdict(set)
    labels: dict[str, set] = defaultdict(set)
    rules: dict[str, list] = defaultdict(list)
    extras = []
    # The same line inside the container on several pages is the template's, prose or not.
    recurring = Counter(line.text for doc in drafted if doc is not None for line in {l.text: l for l in doc.lines}.values())
    for i, (s, doc) in enumerate(zip(studies, drafted)):
        if doc is None or s.generic is None:
            continue
        edges = {id(l) for l in doc.lines[:EDGE] + doc.lines[-EDGE:]}
        for line in doc.lines:
            credit = id(line) in edges and len(line.text) <= CREDIT_CHARS and _LABEL.match(line.text)
            if norm(line.text) in body_keys and recurring[line.text] < max(support, 2) and not credit:
                continue
            extras.append((i, line.text))
            exact[line.text].add(i)
            rules[line.text].append(_rule_for(line.text, s))
            m = _LABEL.match(line.text)
            if m:
                labels[m.group(1)].add(i)
    out, explained = [], set()
    bodies = [t for s in studies for t in s.seeds]
    for text, pages in exact.items():
        if len(pages) >= support:
            pattern = "^" + re.escape(text) + "$"
            note = "" if norm(text) not in body_keys else "recurs verbatim; generic mode kept it"
            out.append(Choice(_kind("template", rules[text]), pattern, len(pages), len(studies), note=note))
            explained.add(text)
    for label, pages in labels.items():
        pattern = r"^\s*[【\[(（]?\s*" + re.escape(label) + r"\s*[:：]"
        hits = [t for t in exact if t not in explained and re.search(pattern, t)]
        prose = [b for b in bodies if re.search(pattern, b) and b not in hits]
        if len(pages) >= max(support, 2) and hits and not prose:
            out.append(Choice(_kind("credit", [r for t in hits for r in rules[t]]), pattern, len(pages), len(studies),
                              note=f"label {label}"))
            explained.update(hits)
    unexplained = [f"{studies[i].label}: kept {t[:60]!r} (generic mode dropped it; it recurs on no other page)"
                   for i, t in extras if t not in explained]
    return out, unexplained
