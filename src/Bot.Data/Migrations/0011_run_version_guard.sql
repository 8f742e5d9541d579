-- A batch of commands decided from the runs as this process last saw them (KnownRuns) sends its
-- writes behind this check, in the same round trip: it locks the runs in id order, as a load does,
-- and fails the transaction when one is gone or another process moved its version since. The
-- caller then rolls back, loads the runs and decides again.
CREATE FUNCTION lock_runs_at_versions(ids bigint[], versions bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    matched int;
BEGIN
    SELECT count(*) INTO matched
    FROM (SELECT r.version, k.version AS expected
          FROM runs r JOIN unnest(ids, versions) AS k(id, version) ON k.id = r.id
          ORDER BY r.id
          FOR UPDATE OF r) AS locked
    WHERE locked.version = locked.expected;
    IF matched <> cardinality(ids) THEN
        RAISE EXCEPTION 'a run changed since this process last read it'
            USING ERRCODE = 'BV001', HINT = 'Load the runs and decide again.';
    END IF;
END
$$;
