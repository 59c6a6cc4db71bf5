"""The ledger's invariants in the database itself, on both engines.

- A transfer's two accounts, and a hold's account, are in the row's own network: composite foreign keys
  to accounts' (id, network) on PostgreSQL; triggers on SQLite, which cannot add a foreign key to a
  table that exists.
- Transfers are never updated or deleted (PostgreSQL had this since 0003; now SQLite too), and a hold
  only ever changes by being released, once.
- On PostgreSQL, a balance changes only together with transfers that explain it, and `held` only with
  the holds placed or released: every change is noted in a transaction-local setting (so a rolled-back
  savepoint takes its notes back with it) and a deferred constraint trigger refuses the COMMIT unless
  each account's notes net to zero. SQLite has no commit-time triggers; `verify_ledger` covers it there.

Django's SQLite schema editor rebuilds a table to alter it, which drops its triggers: a later migration
that alters exchanges_transfer, exchanges_hold or exchanges_account on SQLite must create them again
(tests/ledger/test_database.py fails if they are missing).
"""

from django.db import migrations

POSTGRES_KEYS = """
ALTER TABLE exchanges_transfer ADD CONSTRAINT transfer_from_account_in_network
    FOREIGN KEY (from_account_id, network_id) REFERENCES exchanges_account (id, network_id) NOT VALID;
ALTER TABLE exchanges_transfer ADD CONSTRAINT transfer_to_account_in_network
    FOREIGN KEY (to_account_id, network_id) REFERENCES exchanges_account (id, network_id) NOT VALID;
ALTER TABLE exchanges_hold ADD CONSTRAINT hold_account_in_network
    FOREIGN KEY (account_id, network_id) REFERENCES exchanges_account (id, network_id) NOT VALID;
-- Checked apart from adding them, so existing rows are read without blocking writers for long.
ALTER TABLE exchanges_transfer VALIDATE CONSTRAINT transfer_from_account_in_network;
ALTER TABLE exchanges_transfer VALIDATE CONSTRAINT transfer_to_account_in_network;
ALTER TABLE exchanges_hold VALIDATE CONSTRAINT hold_account_in_network;
"""

POSTGRES_KEYS_DROP = """
ALTER TABLE exchanges_transfer DROP CONSTRAINT IF EXISTS transfer_from_account_in_network;
ALTER TABLE exchanges_transfer DROP CONSTRAINT IF EXISTS transfer_to_account_in_network;
ALTER TABLE exchanges_hold DROP CONSTRAINT IF EXISTS hold_account_in_network;
"""

# The notes: 'b<account id>' and 'h<account id>' → minutes the balance / held moved by, less what
# transfers / holds explain. A key that nets to zero is removed, so a sound transaction ends with '{}'.
# Written out in each function (no helper function, assignments rather than PERFORM): PL/pgSQL evaluates
# plain expressions without starting a query, and these run with every transfer.
NOTES = "coalesce(nullif(current_setting('timebank.ledger_notes', true), ''), '{}')::jsonb"


def _note(key: str, delta: str) -> str:
    """PL/pgSQL statements adding `delta` to the note `key` in the variable `notes`."""
    return f"""
        moved := coalesce((notes ->> ({key}))::bigint, 0) + ({delta});
        notes := CASE WHEN moved = 0 THEN notes - ({key}) ELSE notes || jsonb_build_object({key}, moved) END;"""


POSTGRES_BALANCE_TRIGGERS = f"""
CREATE FUNCTION exchanges_account_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    notes jsonb := {NOTES};
    moved bigint;
    saved text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_note("'b' || NEW.id", "NEW.balance")}
        {_note("'h' || NEW.id", "NEW.held")}
    ELSE
        IF NEW.balance <> OLD.balance THEN {_note("'b' || NEW.id", "NEW.balance - OLD.balance")}
        END IF;
        IF NEW.held <> OLD.held THEN {_note("'h' || NEW.id", "NEW.held - OLD.held")}
        END IF;
    END IF;
    saved := set_config('timebank.ledger_notes', notes::text, true);
    RETURN NULL;
END $$;

CREATE FUNCTION exchanges_transfer_explains() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    notes jsonb := {NOTES};
    moved bigint;
    saved text;
BEGIN
    {_note("'b' || NEW.from_account_id", "NEW.minutes")}
    {_note("'b' || NEW.to_account_id", "-NEW.minutes")}
    saved := set_config('timebank.ledger_notes', notes::text, true);
    RETURN NULL;
END $$;

CREATE FUNCTION exchanges_hold_explains() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    notes jsonb := {NOTES};
    moved bigint;
    saved text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_note("'h' || NEW.account_id", "-NEW.minutes")}
    ELSIF OLD.released_at IS NULL AND NEW.released_at IS NOT NULL THEN
        {_note("'h' || NEW.account_id", "NEW.minutes")}
    ELSE
        RETURN NULL;
    END IF;
    saved := set_config('timebank.ledger_notes', notes::text, true);
    RETURN NULL;
END $$;

-- At COMMIT: every note nets to zero. It checks them all, so any one event of the transaction is enough.
CREATE FUNCTION exchanges_ledger_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    notes text := current_setting('timebank.ledger_notes', true);
BEGIN
    -- Compared as text, unparsed: the common case, a sound transaction, costs one lookup.
    IF notes IS NOT NULL AND notes NOT IN ('', '{{}}') THEN
        RAISE EXCEPTION 'the ledger does not balance: a balance moved without a transfer, or held minutes without a hold (%)', notes
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER exchanges_account_moved AFTER INSERT ON exchanges_account
    FOR EACH ROW WHEN (NEW.balance <> 0 OR NEW.held <> 0) EXECUTE FUNCTION exchanges_account_moved();
CREATE TRIGGER exchanges_account_moved_update AFTER UPDATE ON exchanges_account
    FOR EACH ROW WHEN (NEW.balance <> OLD.balance OR NEW.held <> OLD.held) EXECUTE FUNCTION exchanges_account_moved();
CREATE TRIGGER exchanges_transfer_explains AFTER INSERT ON exchanges_transfer
    FOR EACH ROW EXECUTE FUNCTION exchanges_transfer_explains();
CREATE TRIGGER exchanges_hold_explains AFTER INSERT OR UPDATE ON exchanges_hold
    FOR EACH ROW EXECUTE FUNCTION exchanges_hold_explains();

CREATE CONSTRAINT TRIGGER exchanges_account_balanced AFTER INSERT ON exchanges_account
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.balance <> 0 OR NEW.held <> 0) EXECUTE FUNCTION exchanges_ledger_balanced();
CREATE CONSTRAINT TRIGGER exchanges_account_balanced_update AFTER UPDATE ON exchanges_account
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.balance <> OLD.balance OR NEW.held <> OLD.held) EXECUTE FUNCTION exchanges_ledger_balanced();
CREATE CONSTRAINT TRIGGER exchanges_transfer_balanced AFTER INSERT ON exchanges_transfer
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION exchanges_ledger_balanced();
CREATE CONSTRAINT TRIGGER exchanges_hold_balanced AFTER INSERT OR UPDATE ON exchanges_hold
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION exchanges_ledger_balanced();
"""

POSTGRES_BALANCE_TRIGGERS_DROP = """
DROP TRIGGER IF EXISTS exchanges_account_balanced ON exchanges_account;
DROP TRIGGER IF EXISTS exchanges_account_balanced_update ON exchanges_account;
DROP TRIGGER IF EXISTS exchanges_transfer_balanced ON exchanges_transfer;
DROP TRIGGER IF EXISTS exchanges_hold_balanced ON exchanges_hold;
DROP TRIGGER IF EXISTS exchanges_account_moved ON exchanges_account;
DROP TRIGGER IF EXISTS exchanges_account_moved_update ON exchanges_account;
DROP TRIGGER IF EXISTS exchanges_transfer_explains ON exchanges_transfer;
DROP TRIGGER IF EXISTS exchanges_hold_explains ON exchanges_hold;
DROP FUNCTION IF EXISTS exchanges_ledger_balanced();
DROP FUNCTION IF EXISTS exchanges_hold_explains();
DROP FUNCTION IF EXISTS exchanges_transfer_explains();
DROP FUNCTION IF EXISTS exchanges_account_moved();
"""

POSTGRES_HOLD_IMMUTABLE = """
CREATE FUNCTION exchanges_hold_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.released_at IS NOT NULL OR NEW.released_at IS NULL
        OR (NEW.network_id, NEW.account_id, NEW.exchange_id, NEW.minutes, NEW.placed_at)
            IS DISTINCT FROM (OLD.network_id, OLD.account_id, OLD.exchange_id, OLD.minutes, OLD.placed_at) THEN
        RAISE EXCEPTION 'a hold is only ever released, once' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER exchanges_hold_immutable BEFORE UPDATE OR DELETE ON exchanges_hold
    FOR EACH ROW EXECUTE FUNCTION exchanges_hold_immutable();
"""

POSTGRES_HOLD_IMMUTABLE_DROP = """
DROP TRIGGER IF EXISTS exchanges_hold_immutable ON exchanges_hold;
DROP FUNCTION IF EXISTS exchanges_hold_immutable();
"""

# SQLite: RAISE(ABORT) is a constraint error, which Django raises as IntegrityError. Rows are never
# deleted unless a row in exchanges_ledger_wipe says the whole database is being emptied: SQLite has no
# TRUNCATE, so Django's flush (between transactional tests) deletes row by row; PostgreSQL's TRUNCATE
# fires no row triggers.
SQLITE_TRIGGERS = [
    "CREATE TABLE exchanges_ledger_wipe (reason text NOT NULL)",
    """CREATE TRIGGER exchanges_transfer_in_network BEFORE INSERT ON exchanges_transfer
    WHEN (SELECT network_id FROM exchanges_account WHERE id = NEW.from_account_id) IS NOT NEW.network_id
        OR (SELECT network_id FROM exchanges_account WHERE id = NEW.to_account_id) IS NOT NEW.network_id
    BEGIN SELECT RAISE(ABORT, 'a transfer and its two accounts must be in one network'); END""",
    """CREATE TRIGGER exchanges_hold_in_network BEFORE INSERT ON exchanges_hold
    WHEN (SELECT network_id FROM exchanges_account WHERE id = NEW.account_id) IS NOT NEW.network_id
    BEGIN SELECT RAISE(ABORT, 'a hold and its account must be in one network'); END""",
    # What the composite keys refuse on PostgreSQL once an account has transfers; accounts never move.
    """CREATE TRIGGER exchanges_account_stays_in_network BEFORE UPDATE OF network_id ON exchanges_account
    WHEN NEW.network_id IS NOT OLD.network_id
    BEGIN SELECT RAISE(ABORT, 'an account never moves to another network'); END""",
    """CREATE TRIGGER exchanges_transfer_immutable BEFORE UPDATE ON exchanges_transfer
    BEGIN SELECT RAISE(ABORT, 'transfers are immutable: correct a mistake with a reversal'); END""",
    """CREATE TRIGGER exchanges_transfer_never_deleted BEFORE DELETE ON exchanges_transfer
    WHEN NOT EXISTS (SELECT 1 FROM exchanges_ledger_wipe)
    BEGIN SELECT RAISE(ABORT, 'transfers are immutable: correct a mistake with a reversal'); END""",
    """CREATE TRIGGER exchanges_hold_immutable BEFORE UPDATE ON exchanges_hold
    WHEN OLD.released_at IS NOT NULL OR NEW.released_at IS NULL OR NEW.network_id IS NOT OLD.network_id
        OR NEW.account_id IS NOT OLD.account_id OR NEW.exchange_id IS NOT OLD.exchange_id
        OR NEW.minutes IS NOT OLD.minutes OR NEW.placed_at IS NOT OLD.placed_at
    BEGIN SELECT RAISE(ABORT, 'a hold is only ever released, once'); END""",
    """CREATE TRIGGER exchanges_hold_never_deleted BEFORE DELETE ON exchanges_hold
    WHEN NOT EXISTS (SELECT 1 FROM exchanges_ledger_wipe)
    BEGIN SELECT RAISE(ABORT, 'a hold is only ever released, once'); END""",
]

SQLITE_TRIGGER_NAMES = [
    "exchanges_transfer_in_network",
    "exchanges_hold_in_network",
    "exchanges_account_stays_in_network",
    "exchanges_transfer_immutable",
    "exchanges_transfer_never_deleted",
    "exchanges_hold_immutable",
    "exchanges_hold_never_deleted",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in (POSTGRES_KEYS, POSTGRES_BALANCE_TRIGGERS, POSTGRES_HOLD_IMMUTABLE):
            schema_editor.execute(sql, None)  # no parameters: the SQL has its own % signs
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql, None)  # no parameters: the SQL has its own % signs


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in (POSTGRES_HOLD_IMMUTABLE_DROP, POSTGRES_BALANCE_TRIGGERS_DROP, POSTGRES_KEYS_DROP):
            schema_editor.execute(sql, None)  # no parameters: the SQL has its own % signs
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute("DROP TABLE IF EXISTS exchanges_ledger_wipe")


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0013_ledger_holds")]
    operations = [migrations.RunPython(forwards, backwards)]
