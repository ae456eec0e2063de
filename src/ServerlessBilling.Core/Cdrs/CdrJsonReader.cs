using System.Text.Json;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>
/// Reads CDRs sent as JSON (API.md): an array of objects with camelCase fields, or one object.
/// Each element is judged alone; its "line" is its 1-based position in the array.
/// </summary>
public static class CdrJsonReader
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Reads <paramref name="json"/>; a document that is not JSON at all yields one rejection and no CDRs. A UTF-8
    /// byte-order mark at the start (after white space, if any) is skipped, as for CSV.
    /// </summary>
    public static IReadOnlyList<CdrRecord> Read(ReadOnlySpan<byte> json)
    {
        var start = json.TrimStart(" \t\r\n"u8);
        if (start.StartsWith(Utf8Bom))
        {
            json = start[Utf8Bom.Length..];
        }

        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            var text = RawStart(json);
            return [CdrRecord.Rejected(new CdrRejection(1, null, null, "malformed JSON: the body is not valid UTF-8", text))];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            var raw = RawStart(json);
            return [CdrRecord.Rejected(new CdrRejection(1, null, null, $"malformed JSON: {ex.Message}", raw))];
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                return [ReadElement(root, 1)];
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                return [CdrRecord.Rejected(new CdrRejection(1, null, null, "expected a JSON array of CDR objects", CdrValidation.ClipRaw(root.GetRawText())))];
            }

            var records = new List<CdrRecord>(root.GetArrayLength());
            var position = 0;
            foreach (var element in root.EnumerateArray())
            {
                records.Add(ReadElement(element, ++position));
            }

            return records;
        }
    }

    /// <summary>
    /// The body's first <see cref="CdrValidation.MaxRawLength"/> bytes as text, cut before a UTF-8 continuation byte so that
    /// no character that straddles the cut is decoded as U+FFFD: the raw text shows only what was sent.
    /// </summary>
    private static string RawStart(ReadOnlySpan<byte> json)
    {
        var end = Math.Min(json.Length, CdrValidation.MaxRawLength);
        for (var back = 0; back < 3 && end > 0 && end < json.Length && (json[end] & 0xC0) == 0x80; back++)
        {
            end--;
        }

        return System.Text.Encoding.UTF8.GetString(json[..end]);
    }

    public static bool LooksLikeJson(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        if (trimmed.StartsWith(Utf8Bom))
        {
            trimmed = trimmed[Utf8Bom.Length..].TrimStart(" \t\r\n"u8);
        }

        return !trimmed.IsEmpty && (trimmed[0] == (byte)'[' || trimmed[0] == (byte)'{');
    }

    private static CdrRecord ReadElement(JsonElement element, int position)
    {
        // Whole: a refused element longer than the quarantine's bound is kept in parts (an envelope wrapping the CDRs, read once
        // from an event, holds every one of them).
        var raw = element.GetRawText();
        if (element.ValueKind != JsonValueKind.Object)
        {
            return CdrRecord.Rejected(new CdrRejection(position, null, null, "expected a CDR object", raw));
        }

        // A name escaping half a surrogate pair ("account\ud800Id") is JSON but not text, and reading it throws: the CDR is
        // refused alone, as a value that holds one is (thrown, it failed the whole batch: over HTTP a 500, and an Event Hubs
        // batch retried without end, holding back every CDR of its partition).
        var values = new JsonElement[Fields.Length];
        if (FieldsOf(element, values, out var reason) is { } badName)
        {
            return CdrRecord.Rejected(new CdrRejection(position, null, null, badName, raw));
        }

        var cdrId = Text(values, 0, ref reason); // in the order of Fields
        var accountId = Text(values, 1, ref reason);
        var calling = Text(values, 2, ref reason);
        var called = Text(values, 3, ref reason);
        var start = Text(values, 4, ref reason);
        var duration = Number(values, 5, ref reason);
        var disposition = Text(values, 6, ref reason);
        var session = Text(values, 7, ref reason);
        var cdr = reason is null
            ? CdrValidation.TryBuild(cdrId, accountId, calling, called, start, duration, disposition, session, out reason)
            : null;
        if (cdr is not null)
        {
            return CdrRecord.Accepted(position, cdr, raw);
        }

        return CdrRecord.Rejected(new CdrRejection(
            position,
            Identifiers.IsValid(cdrId) ? cdrId : null,
            Identifiers.IsValid(accountId) ? accountId : null,
            reason!,
            raw));
    }

    private static readonly string[] Fields = ["cdrId", "accountId", "callingNumber", "calledNumber", "startTime", "durationSeconds", "disposition", "sessionId"];

    /// <summary>
    /// Puts the value of each field of <see cref="Fields"/> the CDR names at its index (Undefined when it names none), its
    /// name matched without regard to case (as the API's other JSON bodies are) or underscores (as a CSV header's column
    /// names are, <c>session_id</c>; see <see cref="Csv.CsvHeader.SameName"/>): a switch
    /// whose authorize said <c>sessionID</c> says it in its CDR too, and read exactly it was an unknown field, so the CDR
    /// lost its session and charged the call again after its terminate had. <paramref name="twice"/> is why the CDR is not
    /// applied, or null: a field named twice (in any mix of case), since which of its values it means would be a guess (the
    /// first value is kept, so that the quarantine names the CDR's id all the same). Returns why a field's name is not text
    /// (the first such, by its position), or null.
    /// </summary>
    private static string? FieldsOf(JsonElement element, JsonElement[] values, out string? twice)
    {
        twice = null;
        var seen = 0;
        var at = 0;
        foreach (var property in element.EnumerateObject())
        {
            at++;
            int field;
            try
            {
                // Only a name not spelled as usual is read as a string (the usual spelling is compared without one). Either
                // throws on a name that escapes a lone surrogate.
                field = UsualField(property);
                if (field < 0)
                {
                    var name = property.Name;
                    field = Array.FindIndex(Fields, f => Csv.CsvHeader.SameName(name, f));
                }
            }
            catch (InvalidOperationException)
            {
                return Identifiers.NotText(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the name of field {at}"));
            }

            if (field >= 0)
            {
                if ((seen & (1 << field)) != 0)
                {
                    twice ??= $"{Fields[field]} appears twice in the CDR";
                    continue;
                }

                seen |= 1 << field;
                values[field] = property.Value;
            }
        }

        return null;
    }

    /// <summary>The index in <see cref="Fields"/> of the field <paramref name="property"/> names in its usual spelling, or -1.</summary>
    private static int UsualField(JsonProperty property)
    {
        for (var field = 0; field < Fields.Length; field++)
        {
            if (property.NameEquals(Fields[field]))
            {
                return field;
            }
        }

        return -1;
    }

    private static string Text(JsonElement[] values, int field, ref string? reason)
    {
        var value = values[field];
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return "";
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                return value.GetString() ?? "";
            }
            catch (InvalidOperationException)
            {
                // Valid JSON grammar can still escape a lone surrogate, which is not text.
                reason ??= Identifiers.NotText(Fields[field]);
                return "";
            }
        }

        reason ??= $"{Fields[field]} must be a string";
        return "";
    }

    private static string Number(JsonElement[] values, int field, ref string? reason)
    {
        var value = values[field];
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return "";
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            // JSON has one kind of number: 42.0 and 4.2e1 are 42 (a serializer writing doubles sends 42.0), whole seconds.
            var raw = value.GetRawText();
            return CdrValidation.Integral(raw) ?? raw;
        }

        reason ??= $"{Fields[field]} must be a number";
        return "";
    }
}
