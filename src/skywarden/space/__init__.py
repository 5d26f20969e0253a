"""Space domain: catalogs, propagation, frames, sun, overflight, conjunctions."""
