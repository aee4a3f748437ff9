"""Tests of the Time Clock integration."""
