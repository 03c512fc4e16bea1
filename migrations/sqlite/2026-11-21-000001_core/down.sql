DROP TABLE users;
DROP TABLE schools;
DROP TABLE provinces;
