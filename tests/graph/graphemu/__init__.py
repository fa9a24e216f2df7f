"""Loopback Microsoft Graph emulator used by Lethe's tests (see ../README.md)."""
