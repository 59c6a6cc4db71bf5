"""The exchange lifecycle of PRODUCT §3, split by stage: start, agree, settle (plus what they share)."""
