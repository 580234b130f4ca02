"""Placing a lieu in its quartier, for the coverage matrix: inside a quartier's outline, else
near the centre of a quartier of its commune, else the commune's only quartier.

Used by the import of the national places standard, whose rows carry no quartier. No guess is
better than a wrong one: a lieu that fits none of these rules stays without a quartier and the
coordinator assigns it (the import and the coverage page list such lieux).
"""

import math

# Farther than this from every centre of its commune's quartiers, a lieu is not placed by
# distance (the city's quartiers span one to two kilometres).
MAX_CENTRE_DISTANCE_KM = 3.0


def quartier_of(lieu, quartiers):
    """The quartier the lieu lies in, or None when it cannot be told for sure."""
    has_point = lieu.latitude is not None and lieu.longitude is not None
    if has_point:
        inside = [q for q in quartiers if q.contour and _contains(q.contour, lieu)]
        if len(inside) == 1:
            return inside[0]
    same_commune = [q for q in quartiers if _same_commune(q, lieu)]
    if has_point:
        centred = [q for q in same_commune if q.latitude is not None and q.longitude is not None]
        if centred:
            nearest = min(centred, key=lambda q: _distance_km(q, lieu))
            if _distance_km(nearest, lieu) <= MAX_CENTRE_DISTANCE_KM:
                return nearest
    if len(same_commune) == 1:
        return same_commune[0]
    return None


def _same_commune(quartier, lieu) -> bool:
    """By name, or by code: an IRIS code starts with the commune's INSEE code."""
    if quartier.commune and quartier.commune.strip().lower() == lieu.commune.strip().lower():
        return True
    return bool(lieu.code_insee) and quartier.code.startswith(lieu.code_insee)


def _distance_km(quartier, lieu) -> float:
    lat1, lon1 = math.radians(quartier.latitude), math.radians(quartier.longitude)
    lat2, lon2 = math.radians(lieu.latitude), math.radians(lieu.longitude)
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _polygons(geojson) -> list:
    """The polygons (lists of rings of [lon, lat]) of a GeoJSON geometry, feature or
    collection; other shapes are ignored."""
    kind = geojson.get("type") if isinstance(geojson, dict) else None
    if kind == "FeatureCollection":
        return [p for feature in geojson.get("features", []) for p in _polygons(feature)]
    if kind == "Feature":
        return _polygons(geojson.get("geometry") or {})
    if kind == "Polygon":
        return [geojson.get("coordinates", [])]
    if kind == "MultiPolygon":
        return list(geojson.get("coordinates", []))
    return []


def _contains(geojson, lieu) -> bool:
    point = (lieu.longitude, lieu.latitude)
    for rings in _polygons(geojson):
        if rings and _in_ring(point, rings[0]) and not any(_in_ring(point, h) for h in rings[1:]):
            return True
    return False


def _in_ring(point, ring) -> bool:
    """Ray casting: a horizontal ray from the point crosses the ring's edges an odd number of
    times when the point is inside."""
    x, y = point
    inside = False
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        (x1, y1), (x2, y2) = a[:2], b[:2]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside
