"""autointel: media -> intelligence briefing, with an honest benchmark harness."""

__version__ = "0.1.0"
