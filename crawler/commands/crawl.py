"""`scrapy crawl`, exiting 1 when the run's accounting failed (the `accounting/ok` stat is false: a
page without a record, a feed that could not be stored, distributed URLs unaccounted for)."""
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("give one spider name" if not args else
                             "running 'scrapy crawl' with more than one spider is not supported")
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats.get_value("accounting/ok") is False:
            self.exitcode = 1
