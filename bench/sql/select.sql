-- Point select by primary key.
\set id random(1, :rows)
SELECT balance FROM bench_accounts WHERE id = :id;
