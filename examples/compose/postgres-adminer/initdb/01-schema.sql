CREATE TABLE visits (id serial primary key, at timestamptz default now());
