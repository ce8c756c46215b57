"""Sync: the protocol both sides speak, the HTTP client and the client-side engine.

The server imports only `assessor_tui.sync.protocol` from here, so this package
root imports nothing: importing the protocol must not pull in the client.
"""
