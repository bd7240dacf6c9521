"""Sanic blueprints: thin — parse and validate, call one service function, serialise."""
