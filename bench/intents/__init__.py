"""Benchmark of the intent engine: CLINC150 Full (paper protocol) and the bot's held-out file."""
