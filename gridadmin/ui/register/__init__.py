"""The population register's pages: the residents/households/groups page, the household
card, the resident record, new residents, life events and special groups."""
