"""Transports: ways for a client to reach a fake. Each only converts requests and responses."""
