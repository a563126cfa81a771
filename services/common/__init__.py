"""Plumbing every service shares, and nothing else: settings, logging, db, bus, outbox/inbox,
event envelope, auth tokens, HTTP errors and the app-factory helpers."""
