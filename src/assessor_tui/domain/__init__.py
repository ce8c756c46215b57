"""The visit model: pure data and rules, no I/O, no Textual."""
