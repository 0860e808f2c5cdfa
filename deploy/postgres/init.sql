-- One database per service: each owns its schema and its outbox.
CREATE DATABASE directory;
CREATE DATABASE funding;
CREATE DATABASE fleet;
CREATE DATABASE statistics;
