"""Models of the permanences app."""
