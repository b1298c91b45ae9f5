-- Valid for SQLite (IceFire) and PostgreSQL alike. The accounts are loaded by one INSERT, one transaction.
DROP TABLE IF EXISTS bench_accounts;
DROP TABLE IF EXISTS bench_history;
CREATE TABLE bench_accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, filler TEXT);
CREATE TABLE bench_history(id INTEGER NOT NULL, delta INTEGER NOT NULL, mtime TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows)
  INSERT INTO bench_accounts(id, balance, filler) SELECT i, 0, 'account' FROM n;
ANALYZE bench_accounts;
