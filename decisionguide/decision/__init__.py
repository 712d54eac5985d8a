"""Pure decision logic: the guide document schema and the engine.

Nothing in this package imports Django or touches the database, so it can be
tested, benchmarked and reasoned about on plain, immutable data.
"""
