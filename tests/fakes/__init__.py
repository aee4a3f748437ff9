"""Fake vendor servers for the tests."""
