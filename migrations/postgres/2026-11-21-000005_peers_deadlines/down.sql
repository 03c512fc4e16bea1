DROP TABLE programmes;
DROP TABLE consulting_grants;
DROP TABLE calendar_feeds;
