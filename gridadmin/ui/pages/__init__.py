"""Main-window pages, one module each."""
