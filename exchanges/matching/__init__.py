"""Matching: pairs requests with the offers and members who can help, ranked and explained.

`text`, `taxonomy` and `scoring` are pure Python so they can be tested without a database.
"""
