"""Operator commands of the org-units service.

    python -m services.orgunits load-demo    # import the Bình Thuận demo tree into an empty database
"""
from __future__ import annotations

import sys

from services.orgunits.app import create_app, load_demo_data


def main(argv: list[str]) -> int:
    if argv != ["load-demo"]:
        print(__doc__)
        return 2
    runtime = create_app().extensions["egov"]
    created = load_demo_data(runtime)
    print(f"{created} units imported" if created else "the database already has units; nothing imported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
