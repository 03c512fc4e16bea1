DROP TABLE objections;
DROP TABLE notice_entries;
DROP TABLE notices;
