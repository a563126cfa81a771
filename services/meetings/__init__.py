"""The meetings service — built by its own issue; importable so the suite's layout is complete."""
