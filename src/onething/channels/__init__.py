"""Channels: the ways people and systems reach OneThing (REST API, web pages)."""
