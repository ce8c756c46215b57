"""The plugin API: hook specifications and the host that loads plugins."""
