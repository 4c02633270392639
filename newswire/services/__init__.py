"""The release lifecycle as services the API, the CLI and the worker share."""
