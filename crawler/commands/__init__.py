"""Scrapy commands of the project (COMMANDS_MODULE): `crawl` with an exit status that tells."""
