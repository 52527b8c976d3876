"""Number formats that override Django's for the interface language (FORMAT_MODULE_PATH)."""
