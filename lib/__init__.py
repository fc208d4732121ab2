"""Shared helpers below every app: no models, imports no app (see docs/architecture.md)."""
