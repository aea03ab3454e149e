"""The home dashboard (首页概览) and the report page (报表打印) with its preview."""
