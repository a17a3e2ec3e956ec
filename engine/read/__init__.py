"""read: bytes → raw values, each with where it came from. Opening is guarded (see ``safety``)."""
