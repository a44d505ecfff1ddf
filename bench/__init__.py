"""Benchmarks: print figures, never asserted in tests."""
