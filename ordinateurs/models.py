"""Models of the ordinateurs app."""
