"""Scrapy settings: only deviations from Scrapy's defaults, each with its reason.

Our own settings are ``CAMPUSNEWS_*`` and documented in ``campusnews/config.py``.
"""

BOT_NAME = "campusnews"
SPIDER_MODULES = ["campusnews.spiders"]
NEWSPIDER_MODULE = "campusnews.spiders"

# Name the project and give a way to reach the operator: the spider rewrites this as
# "campusnews/VERSION (+CONTACT)" from CAMPUSNEWS_CONTACT (setting or environment variable),
# e.g. CAMPUSNEWS_CONTACT=mailto:newsarchive@example.edu.cn.
USER_AGENT = "campusnews/0.1 (+https://github.com/campusnews/campusnews)"
CAMPUSNEWS_CONTACT = None
ROBOTSTXT_OBEY = True

# Campus servers are small: be gentle by default; profiles may raise or lower this per site.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0
# Scrapy starts this many tasks for every response's output, however little it yields (2.19:
# scrapy.utils.asyncio._parallel_asyncio); an article page yields one item and a listing page
# one item plus its links, so 100 (the default) cost more than the spider's own work.
CONCURRENT_ITEMS = 4
DOWNLOAD_TIMEOUT = 30
# A page larger than this is recorded as a failure ("body too large"), not archived.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
RETRY_TIMES = 2

# We decode bytes ourselves (campusnews.normalize.decode_page); cookies only confuse archives.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# 4xx/5xx responses reach our errback so they are recorded as failures with their status.
HTTPERROR_ALLOW_ALL = False

# Requests into the same site go breadth-first: listing pages before deep pagination.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

DOWNLOADER_MIDDLEWARES = {
    # after robots.txt (100): revalidate articles we already hold
    "campusnews.middlewares.ConditionalGet": 120,
    # response side runs before RedirectMiddleware (600): A -> B -> A is a recorded failure
    "campusnews.middlewares.RedirectLoop": 610,
    # response side runs before RetryMiddleware (550): Retry-After back-off first
    "campusnews.middlewares.Politeness": 560,
    # response side runs before HttpCompressionMiddleware (590): keep the bytes as received
    "campusnews.middlewares.RawBody": 595,
}

ITEM_PIPELINES = {
    "campusnews.pipelines.ArchivePipeline": 300,
}
EXTENSIONS = {
    "campusnews.extensions.Progress": 500,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
