"""Getting releases in: validation, sanitizing, importers, language detection."""
