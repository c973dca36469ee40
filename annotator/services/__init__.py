"""Use cases on the database session; callers (views, CLI) commit."""
