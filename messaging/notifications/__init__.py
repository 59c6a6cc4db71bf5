"""Notifications: what happened to a person, stored, pushed live to their sockets and emailed in digests.

Every app may notify people, so this app sits low: it knows people and networks, nothing of chat,
exchanges or the ledger.
"""
