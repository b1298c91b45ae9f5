-- pgbench's built-in "simple-update" on this schema: update a balance, read it back, log the change.
\set id random(1, :rows)
\set delta random(-5000, 5000)
BEGIN;
UPDATE bench_accounts SET balance = balance + :delta WHERE id = :id;
SELECT balance FROM bench_accounts WHERE id = :id;
INSERT INTO bench_history(id, delta, mtime) VALUES (:id, :delta, CURRENT_TIMESTAMP);
END;
