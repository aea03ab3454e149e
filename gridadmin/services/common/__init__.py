"""The shared kernel of the services: errors, text and pinyin, ID numbers, code lists,
settings, paging, bulk writes, progress, and the xlsx/pdf helpers every domain uses."""
