using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// The continuation of a paged list: where the page ended (the last account id; for usage, the quarantine and alerts, the last entry's time in UTC
/// ticks and its id), opaque to clients (base64url with a tag naming its kind and version) so that the
/// key-range paging behind it can change without breaking them, and checked on the way back in.
/// </summary>
public static class PageToken
{
    private const string Tag = "p1:";
    private const string UsageTag = "u1:";
    private const string UsageNewestTag = "un1:"; // a page continues in its first page's order: the other's tokens are refused
    private const string QuarantineTag = "q1:";
    private const string AlertTag = "a1:";

    public static string Encode(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Tag + lastId));

    /// <summary>The continuation after <paramref name="last"/> in a listing of usage in <paramref name="order"/>.</summary>
    public static string EncodeUsage(ListCursor last, ListOrder order) => Encode(UsageTagOf(order), last);

    /// <summary>The continuation after <paramref name="last"/> in a listing of the quarantine.</summary>
    public static string EncodeQuarantine(ListCursor last) => Encode(QuarantineTag, last);

    /// <summary>The continuation after <paramref name="last"/> in a listing of alerts.</summary>
    public static string EncodeAlerts(ListCursor last) => Encode(AlertTag, last);

    /// <summary>The id a token continues after; false for anything this API did not hand out.</summary>
    public static bool TryDecode(string? token, out string after)
    {
        after = "";
        if (Text(token, Tag) is not { } text || !Identifiers.IsValid(text))
        {
            return false;
        }

        after = text;
        return true;
    }

    /// <summary>Where a usage listing's token continues; false for anything this API did not hand out for usage in <paramref name="order"/>.</summary>
    public static bool TryDecodeUsage(string? token, ListOrder order, out ListCursor? after) => TryDecode(token, UsageTagOf(order), out after);

    /// <summary>Where a quarantine listing's token continues; false for anything this API did not hand out for the quarantine.</summary>
    public static bool TryDecodeQuarantine(string? token, out ListCursor? after) => TryDecode(token, QuarantineTag, out after);

    /// <summary>Where an alert listing's token continues; false for anything this API did not hand out for alerts.</summary>
    public static bool TryDecodeAlerts(string? token, out ListCursor? after) => TryDecode(token, AlertTag, out after);

    private static string UsageTagOf(ListOrder order) => order == ListOrder.NewestFirst ? UsageNewestTag : UsageTag;

    private static string Encode(string tag, ListCursor last) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{tag}{last.At.UtcTicks}:{last.Id}")));

    private static bool TryDecode(string? token, string tag, out ListCursor? after)
    {
        after = null;
        var text = Text(token, tag);
        var split = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (text is null || split <= 0
            || !long.TryParse(text.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || split == text.Length - 1) // the id is only compared with others (an alert id may be longer than an identifier)
        {
            return false;
        }

        after = new ListCursor(new DateTimeOffset(ticks, TimeSpan.Zero), text[(split + 1)..]);
        return true;
    }

    /// <summary>What follows <paramref name="tag"/> in the token's text, or null when it is not a token of that kind.</summary>
    private static string? Text(string? token, string tag)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 8 * Identifiers.MaxLength || !Base64Url.IsValid(token))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token));
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            return null;
        }

        return text.StartsWith(tag, StringComparison.Ordinal) ? text[tag.Length..] : null;
    }
}
