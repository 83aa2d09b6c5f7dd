"""OneThing: an open-source digital-government platform.

一件事一次办 — get one thing done in one go. See DESIGN.md for the map.
"""

__version__ = "0.1.0"
