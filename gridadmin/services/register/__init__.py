"""The population register: households (户卡), residents and their records, life events,
special-group tags and their counts, the stored per-area tallies."""
