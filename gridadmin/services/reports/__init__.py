"""PDF printouts (reportlab): one toolkit (page template, header, footer,
fonts, table style) shared by the monthly report, the roster 花名册, the
training sign-in sheet and the household card."""
