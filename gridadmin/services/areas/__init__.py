"""The grid tree (township → community/village → grid → micro-grid), the official
division list, and setting up a database for a township."""
