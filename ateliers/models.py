"""Models of the ateliers app."""
