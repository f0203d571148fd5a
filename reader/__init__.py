"""reader: a terminal reader for folders of news records."""

__version__ = "0.1.0"
