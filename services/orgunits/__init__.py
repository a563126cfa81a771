"""The org-units service: the unit tree, merges/dissolutions, headcount (requirements §2)."""
