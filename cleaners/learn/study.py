"""What `learn` knows about one sample page: its tree, and what generic mode made of it."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core import Cleaner
from ..document import Document, Rejected
from ..profiles import Profile, ProfileRegistry
from .dom import Tree, block_holders, common_ancestor
from .pages import Sample


# A body line this long is prose (short ones may be headings, captions, credits).
PROSE_CHARS = 25


@dataclass
class Study:
    sample: Sample
    tree: Tree
    generic: Document | None            # generic mode's result, None when it rejected the page
    reason: str = ""                    # why generic mode rejected it
    seeds: list[str] = field(default_factory=list)    # generic mode's body lines: the prose evidence
    holders: list = field(default_factory=list)       # the block holding each seed line (or None)
    lca: object = None                                # the smallest element holding all of them

    @property
    def label(self) -> str:
        return self.sample.url or self.sample.path

    def value(self, name: str):
        return self.generic.fields.get(name) if self.generic is not None else None


def generic_cleaner() -> Cleaner:
    return Cleaner(ProfileRegistry([]))


def study(samples: list[Sample]) -> tuple[list[Study], list[str]]:
    """The studies of the pages that parse, and the pages that do not (empty, binary, undecodable)."""
    cleaner = generic_cleaner()
    out, unreadable = [], []
    for sample in samples:
        tree = Tree.of(sample)
        if tree is None:
            unreadable.append(sample.url or sample.path)
            continue
        try:
            doc, reason = cleaner.process(sample.page(), "generic"), ""
        except Rejected as rejection:
            doc, reason = None, f"{rejection.reason}: {rejection.detail}"
        except Exception as exc:  # a page generic mode cannot handle teaches nothing, but is reported
            doc, reason = None, f"extract-failed: {type(exc).__name__}: {exc}"
        s = Study(sample, tree, doc, reason)
        if doc is not None:
            s.seeds = [line.text for line in doc.lines]
            s.holders = block_holders(tree, s.seeds)
            # The container is sought around the paragraphs: a stray short line generic mode kept
            # elsewhere on the page must not lift it to the whole page.
            prose = [h for h, t in zip(s.holders, s.seeds) if len(t) >= PROSE_CHARS]
            s.lca = common_ancestor(prose or s.holders)
        out.append(s)
    return out, unreadable


def run_profile(data: dict, studies: list[Study]) -> list[Document | None]:
    """The draft profile applied to every page, as the cleaners would (None: rejected)."""
    profile = Profile.from_dict(data, f"<learned {data['name']}>")
    cleaner = Cleaner(ProfileRegistry([profile]))
    docs = []
    for s in studies:
        try:
            docs.append(cleaner.process(s.sample.page(), profile.name))
        except Exception:  # Rejected, or a bug: either way the draft did not explain the page
            docs.append(None)
    return docs
