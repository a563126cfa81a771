"""The notify service: rules, templates, in-app inbox, e-mail and SMS (requirements §5)."""
