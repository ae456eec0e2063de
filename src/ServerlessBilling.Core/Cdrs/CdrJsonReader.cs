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
            var text = System.Text.Encoding.UTF8.GetString(json[..Math.Min(json.Length, CdrValidation.MaxRawLength)]);
            return [CdrRecord.Rejected(new CdrRejection(1, null, null, "malformed JSON: the body is not valid UTF-8", text))];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            var raw = System.Text.Encoding.UTF8.GetString(json[..Math.Min(json.Length, CdrValidation.MaxRawLength)]);
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
        var raw = CdrValidation.ClipRaw(element.GetRawText());
        if (element.ValueKind != JsonValueKind.Object)
        {
            return CdrRecord.Rejected(new CdrRejection(position, null, null, "expected a CDR object", raw));
        }

        // A name escaping half a surrogate pair ("account\ud800Id") is JSON but not text, and reading it throws: the CDR is
        // refused alone, as a value that holds one is (thrown, it failed the whole batch: over HTTP a 500, and an Event Hubs
        // batch retried without end, holding back every CDR of its partition).
        if (NameNotText(element) is { } badName)
        {
            return CdrRecord.Rejected(new CdrRejection(position, null, null, badName, raw));
        }

        string? reason = NamedTwice(element);
        var cdrId = Text(element, "cdrId", ref reason);
        var accountId = Text(element, "accountId", ref reason);
        var calling = Text(element, "callingNumber", ref reason);
        var called = Text(element, "calledNumber", ref reason);
        var start = Text(element, "startTime", ref reason);
        var duration = Number(element, "durationSeconds", ref reason);
        var disposition = Text(element, "disposition", ref reason);
        var session = Text(element, "sessionId", ref reason);
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

    /// <summary>Why a field name of the CDR is not text (it escapes a lone surrogate), or null.</summary>
    private static string? NameNotText(JsonElement element)
    {
        var at = 0;
        foreach (var property in element.EnumerateObject())
        {
            at++;
            try
            {
                _ = property.Name;
            }
            catch (InvalidOperationException)
            {
                return Identifiers.NotText(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the name of field {at}"));
            }
        }

        return null;
    }

    private static readonly string[] Fields = ["cdrId", "accountId", "callingNumber", "calledNumber", "startTime", "durationSeconds", "disposition", "sessionId"];

    /// <summary>A field the CDR names twice: which of its values it means would be a guess, so the CDR is not applied.</summary>
    private static string? NamedTwice(JsonElement element)
    {
        var seen = 0;
        foreach (var property in element.EnumerateObject())
        {
            for (var field = 0; field < Fields.Length; field++)
            {
                if (property.NameEquals(Fields[field]))
                {
                    if ((seen & (1 << field)) != 0)
                    {
                        return $"{Fields[field]} appears twice in the CDR";
                    }

                    seen |= 1 << field;
                    break;
                }
            }
        }

        return null;
    }

    private static string Text(JsonElement element, string name, ref string? reason)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
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
                reason ??= Identifiers.NotText(name);
                return "";
            }
        }

        reason ??= $"{name} must be a string";
        return "";
    }

    private static string Number(JsonElement element, string name, ref string? reason)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return "";
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetRawText();
        }

        reason ??= $"{name} must be a number";
        return "";
    }
}
