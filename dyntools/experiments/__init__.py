"""Reproductions of the papers' figures."""
