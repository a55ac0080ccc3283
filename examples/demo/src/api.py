"""The HTTP API of tidepool."""
