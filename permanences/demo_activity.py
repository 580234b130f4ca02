"""Demo médiations (to be written: 1000 accompagnements for 600 unique usagers since January 2022)."""


def load(stdout):
    pass
