-- Market data load speed (issue 10): the foreign key from bars to datasets made PostgreSQL run
-- one referential check query per inserted bar, about 40 % of an upload's database time
-- (bench/data/README.md). Bars are only ever written by the transaction that creates their
-- dataset row, so the check adds nothing; what the key also gave, deleting a dataset's bars
-- with it (directly, or through its owner's deletion), is kept by a trigger.
ALTER TABLE bars DROP CONSTRAINT bars_dataset_id_fkey;

CREATE FUNCTION datasets_delete_bars() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM bars WHERE dataset_id = OLD.id;
    RETURN OLD;
END;
$$;

CREATE TRIGGER datasets_delete_bars AFTER DELETE ON datasets FOR EACH ROW EXECUTE FUNCTION datasets_delete_bars();
