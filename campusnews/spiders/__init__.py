"""Spiders navigate; they never extract fields (see ``campusnews.extract``)."""
