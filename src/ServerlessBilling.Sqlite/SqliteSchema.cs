using System.Globalization;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// The versioned schema. Each migration runs once, in its own transaction with the version it sets, when the file
/// is opened; a file written by a newer version is refused rather than misread. Migrations are only ever appended.
/// Documents (accounts, usage, closed sessions, top-ups, quarantine) are JSON in the <see cref="Core.Storage.StoredJson"/>
/// shape; the columns beside them are what queries need.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: every port of the first release.
        """
        CREATE TABLE accounts (
            account_id  TEXT PRIMARY KEY,
            version     INTEGER NOT NULL,      -- the ETag: a conditional write names the version it read
            next_expiry INTEGER,               -- UTC ticks of AccountState.NextExpiry, for the sweeper
            doc         BLOB NOT NULL);
        CREATE INDEX accounts_by_next_expiry ON accounts (next_expiry) WHERE next_expiry IS NOT NULL;

        CREATE TABLE sessions (
            session_id  TEXT PRIMARY KEY,
            account_id  TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            closed      BLOB);                 -- the ClosedSession record once the session is closed

        CREATE TABLE rate_decks (
            deck_id     TEXT PRIMARY KEY,
            row_count   INTEGER NOT NULL);
        CREATE TABLE rate_deck_rows (
            deck_id     TEXT NOT NULL,
            ordinal     INTEGER NOT NULL,
            prefix      TEXT NOT NULL,
            destination TEXT NOT NULL,
            rate        TEXT NOT NULL,         -- decimals as invariant text: exact
            connect_fee TEXT NOT NULL,
            min_seconds INTEGER NOT NULL,
            increment_seconds INTEGER NOT NULL,
            effective_from INTEGER,            -- DateOnly.DayNumber
            effective_to INTEGER,
            line        INTEGER NOT NULL,
            PRIMARY KEY (deck_id, ordinal)) WITHOUT ROWID;

        CREATE TABLE usage (
            account_id  TEXT NOT NULL,
            cdr_id      TEXT NOT NULL,
            start_time  INTEGER NOT NULL,      -- UTC ticks
            doc         BLOB NOT NULL,
            PRIMARY KEY (account_id, cdr_id)) WITHOUT ROWID;
        CREATE INDEX usage_by_start ON usage (account_id, start_time, cdr_id);

        CREATE TABLE quarantine (
            quarantine_id TEXT PRIMARY KEY,
            account_id  TEXT,
            received_at INTEGER NOT NULL,      -- UTC ticks
            doc         BLOB NOT NULL);
        CREATE INDEX quarantine_by_time ON quarantine (received_at DESC, quarantine_id);
        CREATE INDEX quarantine_by_account ON quarantine (account_id, received_at DESC, quarantine_id);

        CREATE TABLE top_ups (
            account_id  TEXT NOT NULL,
            top_up_id   TEXT NOT NULL,
            doc         BLOB NOT NULL,
            PRIMARY KEY (account_id, top_up_id)) WITHOUT ROWID;
        """,

        // 2: spend monitoring.
        """
        CREATE TABLE alerts (
            alert_id    TEXT PRIMARY KEY,
            account_id  TEXT NOT NULL,
            raised_at   INTEGER NOT NULL,      -- UTC ticks
            doc         BLOB NOT NULL);
        CREATE INDEX alerts_by_time ON alerts (raised_at DESC, alert_id);
        CREATE INDEX alerts_by_account ON alerts (account_id, raised_at DESC, alert_id);

        CREATE TABLE monitors (
            account_id  TEXT PRIMARY KEY,
            version     INTEGER NOT NULL,      -- the ETag, as for accounts
            doc         BLOB NOT NULL);
        """,

        // 3: invoicing.
        """
        CREATE TABLE invoices (
            account_id  TEXT NOT NULL,
            invoice_id  TEXT NOT NULL,
            period      TEXT NOT NULL,
            doc         BLOB NOT NULL,
            PRIMARY KEY (account_id, invoice_id));
        CREATE INDEX invoices_by_period ON invoices (account_id, period DESC);

        CREATE TABLE invoice_counters (
            counter_id  TEXT PRIMARY KEY,
            version     INTEGER NOT NULL,      -- the ETag, as for accounts
            doc         BLOB NOT NULL);
        """,

        // 4: an account document in rows (SqliteDocumentRows): accounts.doc holds its head, each large top-level part
        // is a row here, or a row per member of it. A document of schema 3 is a head with no part rows, read as it
        // is; its first write afterwards stores it in rows.
        """
        CREATE TABLE account_parts (
            account_id  TEXT NOT NULL,
            part        TEXT NOT NULL,         -- the top-level member of the document
            member      TEXT NOT NULL,         -- '' for the whole part, else one member of it
            json        BLOB NOT NULL,         -- the JSON value
            PRIMARY KEY (account_id, part, member)) WITHOUT ROWID;
        """,

        // 5: a long array of an account document (applied CDR ids, closed-session order) in chunks (SqliteArrayChunks):
        // rows of account_parts whose part is the member's name with "[]" appended, one per chunk, keyed in order.
        // Nothing to convert: an array stored whole (schema 4) is read as it is, and chunked by its next write. The
        // version is recorded so that a build that would read those rows as a member of its own is refused the file.
        """
        SELECT 5;
        """,

        // 6: the rows of a part stored by member (one session each) in a rowid table of their own (SqliteDocumentRows):
        // a new member is appended where the last rows went instead of inserted where its name sorts among the rows of
        // its account (which split the account's leaf pages as sessions were added and grew), and one grown in place
        // stays on its page; only the small unique index is in key order. account_parts keeps whole parts and chunks.
        // The member rows schema 4 and 5 wrote are moved here.
        """
        CREATE TABLE account_members (
            account_id  TEXT NOT NULL,
            part        TEXT NOT NULL,         -- the top-level member of the document (an object stored by member)
            member      TEXT NOT NULL,         -- one member of it
            json        BLOB NOT NULL);        -- the JSON value
        CREATE UNIQUE INDEX account_members_by_key ON account_members (account_id, part, member);
        INSERT INTO account_members (account_id, part, member, json)
            SELECT account_id, part, member, json FROM account_parts WHERE member <> '' AND substr(part, -2) <> '[]' ORDER BY account_id, part, member;
        DELETE FROM account_parts WHERE member <> '' AND substr(part, -2) <> '[]';
        """,

        // 7: a chunked array's first chunk is no longer cut again when its oldest elements go (SqliteArrayChunks): a row
        // of account_parts with member 'skip' (a JSON number) says how many of its leading elements are not in the array;
        // and a usage row's doc is a compact JSON array of the record's values (SqliteUsageRows). Nothing to convert:
        // chunks without that row skip none, and a usage doc that is a JSON object is read as before. The version is
        // recorded so that a build that would misread either is refused the file.
        """
        SELECT 7;
        """,

        // 8: usage rows in a rowid table, appended in the order written, with the key (account, CDR id) a small unique index
        // beside the by-start one. Keyed by (account, CDR id) in a WITHOUT ROWID table, a CDR batch spread over many
        // accounts put each account's new rows among its earlier ones: a leaf (often split, with its siblings) of the table
        // and one of the index per account, every batch; now a batch's rows fill a few new pages at the end of the table,
        // and the two indexes hold short entries (no document), so their leaves split far less often. The rows written
        // before are copied in (account, start time) order, so an account's earlier usage stays together.
        """
        CREATE TABLE usage_appended (
            account_id  TEXT NOT NULL,
            cdr_id      TEXT NOT NULL,
            start_time  INTEGER NOT NULL,      -- UTC ticks
            doc         BLOB NOT NULL);
        INSERT INTO usage_appended (account_id, cdr_id, start_time, doc)
            SELECT account_id, cdr_id, start_time, doc FROM usage ORDER BY account_id, start_time, cdr_id;
        DROP TABLE usage;
        ALTER TABLE usage_appended RENAME TO usage;
        CREATE UNIQUE INDEX usage_by_key ON usage (account_id, cdr_id);
        CREATE INDEX usage_by_start ON usage (account_id, start_time, cdr_id);
        """,
    ];

    public static int Latest => Migrations.Count;

    /// <summary>Brings the file to <see cref="Latest"/> (or <paramref name="target"/>, for tests of a migration); returns the version it is at.</summary>
    public static int Migrate(SqliteSession session, TimeProvider clock, int? target = null)
    {
        var latest = target ?? Latest;
        session.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
        var current = Convert.ToInt32(session.Command("SELECT coalesce(max(version), 0) FROM schema_version").ExecuteScalar(), CultureInfo.InvariantCulture);
        if (current > Latest)
        {
            throw new InvalidOperationException(
                $"the data file has schema version {current}, newer than this build knows ({Latest}); run the newer build or restore a backup");
        }

        for (var version = current + 1; version <= latest; version++)
        {
            session.Execute("BEGIN IMMEDIATE");
            try
            {
                session.Execute(Migrations[version - 1]);
                var record = session.Command("INSERT INTO schema_version (version, applied_at) VALUES ($v, $at)");
                record.Parameters.AddWithValue("$v", version);
                record.Parameters.AddWithValue("$at", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
                session.Execute("COMMIT");
            }
            catch
            {
                session.Execute("ROLLBACK");
                throw;
            }
        }

        return Math.Max(current, latest);
    }
}
