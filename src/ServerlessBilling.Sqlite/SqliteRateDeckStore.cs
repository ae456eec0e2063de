using System.Globalization;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>Rate decks as rows; a put replaces the whole deck in one transaction, so a reader sees the old deck or the new one.</summary>
public sealed class SqliteRateDeckStore(SqliteDatabase database) : IRateDeckStore
{
    public Task PutAsync(RateDeck deck, CancellationToken cancellationToken) =>
        database.WriteAsync(session =>
        {
            session.Command("DELETE FROM rate_deck_rows WHERE deck_id = $deck").With("$deck", deck.DeckId).ExecuteNonQuery();
            var insert = session.Command("""
                INSERT INTO rate_deck_rows (deck_id, ordinal, prefix, destination, rate, connect_fee, min_seconds, increment_seconds, effective_from, effective_to, line)
                VALUES ($deck, $ordinal, $prefix, $destination, $rate, $fee, $min, $increment, $from, $to, $line)
                """);
            var p = new[] { "$deck", "$ordinal", "$prefix", "$destination", "$rate", "$fee", "$min", "$increment", "$from", "$to", "$line" }
                .Select(name => insert.Parameters.AddWithValue(name, DBNull.Value)).ToArray();
            p[0].Value = deck.DeckId;
            for (var i = 0; i < deck.Rows.Count; i++)
            {
                var row = deck.Rows[i];
                p[1].Value = i;
                p[2].Value = row.Prefix;
                p[3].Value = row.Destination;
                p[4].Value = row.Tariff.RatePerMinute.ToString(CultureInfo.InvariantCulture);
                p[5].Value = row.Tariff.ConnectFee.ToString(CultureInfo.InvariantCulture);
                p[6].Value = row.Tariff.MinSeconds;
                p[7].Value = row.Tariff.IncrementSeconds;
                p[8].Value = (object?)row.EffectiveFrom?.DayNumber ?? DBNull.Value;
                p[9].Value = (object?)row.EffectiveTo?.DayNumber ?? DBNull.Value;
                p[10].Value = row.Line;
                insert.ExecuteNonQuery();
            }

            return session.Command("INSERT INTO rate_decks (deck_id, row_count) VALUES ($deck, $rows) ON CONFLICT (deck_id) DO UPDATE SET row_count = excluded.row_count")
                .With("$deck", deck.DeckId).With("$rows", deck.Rows.Count).ExecuteNonQuery();
        }, cancellationToken);

    public Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            if (session.Command("SELECT row_count FROM rate_decks WHERE deck_id = $deck").With("$deck", deckId).ExecuteScalar() is not long count)
            {
                return null;
            }

            var rows = new List<RateDeckRow>((int)count);
            using var reader = session.Command("""
                SELECT prefix, destination, rate, connect_fee, min_seconds, increment_seconds, effective_from, effective_to, line
                FROM rate_deck_rows WHERE deck_id = $deck ORDER BY ordinal
                """).With("$deck", deckId).ExecuteReader();
            while (reader.Read())
            {
                rows.Add(new RateDeckRow(
                    reader.GetString(0),
                    reader.GetString(1),
                    new Tariff(
                        decimal.Parse(reader.GetString(2), NumberStyles.Number, CultureInfo.InvariantCulture),
                        decimal.Parse(reader.GetString(3), NumberStyles.Number, CultureInfo.InvariantCulture),
                        reader.GetInt32(4),
                        reader.GetInt32(5)),
                    reader.IsDBNull(6) ? null : DateOnly.FromDayNumber(reader.GetInt32(6)),
                    reader.IsDBNull(7) ? null : DateOnly.FromDayNumber(reader.GetInt32(7)),
                    reader.GetInt32(8)));
            }

            return new RateDeck(deckId, rows);
        }));

    public Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RateDeckSummary>>(database.Read(session =>
        {
            using var reader = session.Command("SELECT deck_id, row_count FROM rate_decks ORDER BY deck_id").ExecuteReader();
            var decks = new List<RateDeckSummary>();
            while (reader.Read())
            {
                decks.Add(new RateDeckSummary(reader.GetString(0), reader.GetInt32(1)));
            }

            return decks;
        }));
}
