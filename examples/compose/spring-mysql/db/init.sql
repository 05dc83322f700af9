CREATE TABLE IF NOT EXISTS greeting (id int primary key, text varchar(64));
