"""The process rules: plain functions over a unit of work; no Flask, no kombu."""
