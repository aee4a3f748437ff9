"""End-to-end tests: a real Home Assistant process, a real broker, a fake backend."""
