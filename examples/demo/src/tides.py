"""Fetch and parse tide predictions."""


def high_tides(station, day):
    raise NotImplementedError
