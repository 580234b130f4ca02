"""Pages of the réseau app, one module per area (referential, directory and map, campaigns,
meetings, orientations, the national standard's public export)."""
