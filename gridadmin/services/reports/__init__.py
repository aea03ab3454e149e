"""Reports: the monthly report's figures, details and PDF, the home dashboard's
figures, the 花名册/签到表/户卡 printouts on one reportlab toolkit, and the history of reports made."""
