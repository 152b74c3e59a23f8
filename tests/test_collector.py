"""crawler.collector: the cleaning pipelines raise the collector's first threshold while any of
them is open, and the last one to close puts back what it found."""
from __future__ import annotations

import gc

from crawler import collector


def test_tuned_while_a_pipeline_is_open_and_restored_by_the_last_to_close():
    before = gc.get_threshold()
    try:
        assert collector.tune(50_000) and collector.tune(50_000)  # two crawlers in one process
        assert gc.get_threshold() == (50_000, *before[1:])
        assert gc.get_freeze_count() > 0
        collector.restore()
        assert gc.get_threshold()[0] == 50_000  # the other crawler still runs
        collector.restore()
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0
        collector.restore()  # one close too many changes nothing
        assert gc.get_threshold() == before
    finally:
        while collector._open:
            collector.restore()


def test_zero_leaves_the_collector_alone():
    before = gc.get_threshold()
    assert not collector.tune(0)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
