-- Update of one row by primary key.
\set id random(1, :rows)
\set delta random(-5000, 5000)
UPDATE bench_accounts SET balance = balance + :delta WHERE id = :id;
