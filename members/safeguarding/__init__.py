"""Safeguarding: checks on a membership (references, DBS, licence, insurance) and concerns about a
person, an exchange or a conversation, for coordinators only.

It knows people and networks; exchanges and conversations only as the rows a concern points at.
"""
