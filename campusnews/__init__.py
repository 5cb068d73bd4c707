"""campusnews: crawl, extract, normalize and archive campus news sites."""

__version__ = "0.1.0"
