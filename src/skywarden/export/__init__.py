"""Exports: GeoJSON (RFC 7946), CZML (CesiumJS), iCalendar. Thin writers over plain data."""
