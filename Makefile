# Set-up is part of every target: a fresh clone needs nothing but python3 (3.11+).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test bench bench-crawl bench-learn check clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	# The pip that ships with the system Python cannot resolve lxml[html-clean]: upgrade it first.
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,redis]'
	touch $(STAMP)

install: $(STAMP)

run: install          ## crawl every fixture portal into output/articles.jsonl
	$(PY) -m crawler.crawl_all

test: install         ## the test suite (no benchmarks)
	scripts/ensure-redis  # redis-server for tests/test_distributed.py (apt-get install where root)
	scripts/ensure-chromium  # Debian's chromium for the review-site browser tests (tests/test_review.py)
	$(PY) -m pytest -q

check: install        ## scrapy check: the spiders' contracts
	$(VENV)/bin/scrapy check

bench: install        ## quality and speed benchmarks; writes BENCHMARKS.md
	$(PY) -m bench

bench-crawl: install  ## crawl throughput vs Scrapy's floor, extract -j1/-j2, memory, Redis bytes/page
	scripts/ensure-redis
	$(PY) -m bench.crawl

bench-learn: install  ## profiles learned from each fixture portal's pages vs its golden articles
	$(PY) -m bench.learned

clean:
	rm -rf output .pytest_cache
