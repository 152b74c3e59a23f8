"""The Scrapy project: spiders per portal profile, fixture replay, and item pipelines that call
the `cleaners` library step by step."""
